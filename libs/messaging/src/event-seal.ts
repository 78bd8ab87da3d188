import { type EventEnvelope, serviceOfPattern } from '@smartbeak/contracts';

import { type MessageKeys, refuse } from './signing';

const EVENT_PURPOSE = 'smartbeak.event.v1';

/** Every field a consumer may act on, in a fixed order: what the producer's signature covers. */
function signedBytes(event: EventEnvelope): string {
  return JSON.stringify([
    event.id,
    event.type,
    event.aggregateId,
    event.orgId,
    event.domainId,
    event.occurredAt,
    event.requestId ?? null,
    event.version ?? null,
    event.payload,
  ]);
}

/** The event as it leaves its producer's relay: signed by the producing service. */
export function sealEvent(keys: MessageKeys, event: EventEnvelope): EventEnvelope {
  return { ...event, seal: keys.seal(EVENT_PURPOSE, signedBytes(event)) };
}

/**
 * Refuses (counted, MessageRefused) an event that is unsigned, signed by an
 * unknown key, altered, or signed by a service that does not own its type —
 * `content.*` only from content, `publishing.*` only from publishing. The
 * one other signer a consumer trusts is itself: an event it received in a
 * checked batch, then dead-lettered, is stored sealed by the consumer
 * (`resealForRedrive`) so that its re-drive passes this check.
 */
export function checkEvent(keys: MessageKeys, event: EventEnvelope): void {
  if (!event || typeof event.type !== 'string' || typeof event.id !== 'string') {
    refuse('event', 'malformed', 'not a SmartBeak event');
  }
  const { signer } = keys.check('event', EVENT_PURPOSE, signedBytes(event), event.seal);
  const owner = serviceOfPattern(event.type);
  if (signer !== owner && signer !== keys.signer)
    refuse('event', 'not-owner', `${signer} may not emit ${event.type} (owned by ${owner})`);
}

const BATCH_PURPOSE = 'smartbeak.event-batch.v1';

/** Events a relay delivers as one job to a queue that takes batches (BATCHED_EVENT_QUEUES): one seal for all. */
export interface EventBatch {
  events: EventEnvelope[];
  seal?: { signer: string; kid: string; sig: string };
}

function batchBytes(events: EventEnvelope[]): string {
  return `[${events.map((event) => signedBytes(event)).join(',')}]`;
}

/** The events as one job: each without its own seal, all under the producer's one signature. */
export function sealEventBatch(keys: MessageKeys, events: EventEnvelope[]): EventBatch {
  const bare = events.map(({ seal: _seal, ...event }) => event);
  return { events: bare, seal: keys.seal(BATCH_PURPOSE, batchBytes(bare)) };
}

/**
 * An event of a batch this consumer already checked, sealed by the consumer
 * itself: what it keeps as a dead letter, so a re-drive (one event, its own
 * job) passes checkEvent. Only for events whose batch seal was good.
 */
export function resealForRedrive(ownKeys: MessageKeys, event: EventEnvelope): EventEnvelope {
  return sealEvent(ownKeys, event);
}

export function isEventBatch(data: unknown): data is EventBatch {
  return typeof data === 'object' && data !== null && Array.isArray((data as EventBatch).events);
}

/**
 * As checkEvent, for a batch: one signature over every event, and the
 * signer must own every event's type. One check instead of one per event
 * (an Ed25519 check costs about as much as the rest of an event's ingestion).
 */
export function checkEventBatch(keys: MessageKeys, batch: EventBatch): void {
  if (
    !isEventBatch(batch) ||
    !batch.events.every((e) => typeof e?.type === 'string' && typeof e?.id === 'string')
  ) {
    refuse('event', 'malformed', 'not a SmartBeak event batch');
  }
  const { signer } = keys.check('event', BATCH_PURPOSE, batchBytes(batch.events), batch.seal);
  for (const event of batch.events) {
    const owner = serviceOfPattern(event.type);
    if (signer !== owner)
      refuse('event', 'not-owner', `${signer} may not emit ${event.type} (owned by ${owner})`);
  }
}
