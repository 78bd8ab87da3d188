import { randomUUID } from 'node:crypto';

import { type EventEnvelope } from '@smartbeak/contracts';
import { messageKeyring } from '@smartbeak/testing';

import {
  checkEvent,
  checkEventBatch,
  MessageKeys,
  MessageRefused,
  resealForRedrive,
  sealEvent,
  sealEventBatch,
} from '../src';

describe('event batches: one seal over many events', () => {
  const ring = messageKeyring(['content', 'publishing', 'analytics']);
  const keysOf = (signer: string) => {
    const env = ring.env(signer);
    return MessageKeys.parse(signer, env.MESSAGE_SIGNING_KEY, env.MESSAGE_TRUSTED_KEYS);
  };
  const receiver = keysOf('analytics');
  const event = (type = 'content.item.created'): EventEnvelope => ({
    id: randomUUID(),
    type,
    aggregateId: randomUUID(),
    orgId: 'org_1',
    domainId: null,
    occurredAt: new Date().toISOString(),
    payload: { actor: 'user_1' },
    version: 1,
  });
  const refusal = (check: () => void): string => {
    try {
      check();
    } catch (error) {
      if (error instanceof MessageRefused) return error.message;
      throw error;
    }
    return 'accepted';
  };

  it('accepts a batch its producer sealed, without a seal per event', () => {
    const batch = sealEventBatch(keysOf('content'), [
      sealEvent(keysOf('content'), event()),
      event(),
      event(),
    ]);
    expect(batch.events.every((e) => e.seal === undefined)).toBe(true);
    expect(refusal(() => checkEventBatch(receiver, batch))).toBe('accepted');
  });

  it('refuses a batch with an event altered, added or removed, one of another owner, or no seal', () => {
    const batch = sealEventBatch(keysOf('content'), [event(), event()]);
    const altered = { ...batch, events: [{ ...batch.events[0]!, orgId: 'org_victim' }, batch.events[1]!] };
    expect(refusal(() => checkEventBatch(receiver, altered))).toMatch(/does not match/);
    expect(
      refusal(() => checkEventBatch(receiver, { ...batch, events: [...batch.events, event()] })),
    ).toMatch(/does not match/);
    expect(refusal(() => checkEventBatch(receiver, { ...batch, events: batch.events.slice(1) }))).toMatch(
      /does not match/,
    );
    const foreign = sealEventBatch(keysOf('content'), [event(), event('publishing.job.completed')]);
    expect(refusal(() => checkEventBatch(receiver, foreign))).toMatch(
      /may not emit publishing\.job\.completed/,
    );
    expect(refusal(() => checkEventBatch(receiver, { events: batch.events }))).not.toBe('accepted');
  });

  it('keeps the two seals apart: a single event seal is no batch seal, and back', () => {
    const single = sealEvent(keysOf('content'), event());
    expect(refusal(() => checkEventBatch(receiver, { events: [single], seal: single.seal }))).toMatch(
      /does not match/,
    );
    const batch = sealEventBatch(keysOf('content'), [event()]);
    expect(refusal(() => checkEvent(receiver, { ...batch.events[0]!, seal: batch.seal }))).toMatch(
      /does not match/,
    );
  });

  it('lets a consumer re-drive a batch event it checked and kept (sealed by itself), and no one else forge one', () => {
    const batch = sealEventBatch(keysOf('content'), [event()]);
    checkEventBatch(receiver, batch);
    const kept = resealForRedrive(receiver, batch.events[0]!);
    expect(refusal(() => checkEvent(receiver, kept))).toBe('accepted');
    // Sealed by analytics: another consumer does not take it, and publishing cannot pass off content's event.
    expect(refusal(() => checkEvent(keysOf('publishing'), kept))).toMatch(/may not emit/);
    expect(refusal(() => checkEvent(receiver, sealEvent(keysOf('publishing'), event())))).toMatch(
      /may not emit/,
    );
  });
});
