import { type EventEnvelope, Events } from '@smartbeak/contracts';

import { describe as describeEvent } from './describe';

function deadLettered(errorType: string): EventEnvelope {
  return {
    id: `evt-${errorType}`,
    type: Events.publishing.jobDeadLettered,
    aggregateId: 'job-1',
    orgId: 'org_a',
    domainId: null,
    occurredAt: '2026-12-02T09:00:00.000Z',
    payload: { jobId: 'job-1', errorType, message: 'boom', createdBy: 'user_author', title: 'Launch' },
  };
}

describe('who hears of a dead-lettered publishing job (the seed error table)', () => {
  it('a system error pages on-call and tells the creator; admins are not bothered', () => {
    const described = describeEvent(deadLettered('system'), null)!;
    expect(described.page).toEqual({
      severity: 'error',
      summary: 'Publishing job job-1 dead-lettered (system) in org org_a: boom',
    });
    expect(described.audience).toEqual([{ userIds: ['user_author'] }]);
    expect(described.body).toMatch(/on-call/);
  });

  it.each(['validation', 'transient'])(
    'a %s dead letter is the org’s to fix: the creator and its admins, no page',
    (errorType) => {
      const described = describeEvent(deadLettered(errorType), null)!;
      expect(described.page).toBeUndefined();
      expect(described.audience).toEqual([{ userIds: ['user_author'] }, { permission: 'org:admin' }]);
      expect(described.title).toBe('Publishing gave up: “Launch”');
    },
  );

  it('an event without its creator still reaches the admins of a validation failure', () => {
    const event = deadLettered('validation');
    delete event.payload['createdBy'];
    expect(describeEvent(event, null)!.audience).toEqual([{ permission: 'org:admin' }]);
  });
});

describe('a failed job that was also dead-lettered', () => {
  it('is told once, by the dead letter', () => {
    const failed = (dead: boolean): EventEnvelope => ({
      ...deadLettered('x'),
      type: Events.publishing.jobFailed,
      payload: { jobId: 'job-1', createdBy: 'user_author', title: 'Launch', deadLettered: dead, targets: [] },
    });
    expect(describeEvent(failed(true), null)).toBeNull();
    expect(describeEvent(failed(false), null)).toEqual(
      expect.objectContaining({
        title: 'Publishing failed: “Launch”',
        audience: [{ userIds: ['user_author'] }],
      }),
    );
  });
});
