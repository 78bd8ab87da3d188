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

describe('SEO signals', () => {
  const signal = (type: string, payload: Record<string, unknown>): EventEnvelope => ({
    id: `evt-${type}`,
    type: type as EventEnvelope['type'],
    aggregateId: 'kw-1',
    orgId: 'org_a',
    domainId: 'dom-1',
    occurredAt: '2026-12-02T09:00:00.000Z',
    payload,
  });

  it('a ranking drop tells the org’s SEO readers, with the positions and a link to the keyword', () => {
    const described = describeEvent(
      signal(Events.seo.keywordDropped, {
        query: 'seo tools',
        position: 12.04,
        previousPosition: 4.5,
        windowEnd: '2026-12-01',
      }),
      null,
    )!;
    expect(described).toEqual(
      expect.objectContaining({
        type: Events.seo.keywordDropped,
        audience: [{ permission: 'seo:read' }],
        title: 'Ranking drop: “seo tools”',
        body: 'Average position 4.5 → 12.0 over the 7 days to 2026-12-01.',
        link: '/seo/keywords/kw-1',
      }),
    );
  });

  it('a failed import says why and that nothing stored was lost', () => {
    const described = describeEvent(
      signal(Events.seo.ingestionFailed, {
        sourceName: 'sc-domain:example.com',
        error: 'GSC 403 forbidden: no access.',
      }),
      null,
    )!;
    expect(described.title).toBe('SEO import failed: sc-domain:example.com');
    expect(described.body).toBe('GSC 403 forbidden: no access. Stored history is unchanged.');
  });
});
