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
 * `content.*` only from content, `publishing.*` only from publishing.
 */
export function checkEvent(keys: MessageKeys, event: EventEnvelope): void {
  if (!event || typeof event.type !== 'string' || typeof event.id !== 'string') {
    refuse('event', 'malformed', 'not a SmartBeak event');
  }
  const { signer } = keys.check('event', EVENT_PURPOSE, signedBytes(event), event.seal);
  const owner = serviceOfPattern(event.type);
  if (signer !== owner)
    refuse('event', 'not-owner', `${signer} may not emit ${event.type} (owned by ${owner})`);
}
