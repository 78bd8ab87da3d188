import { Events } from '@smartbeak/contracts';

import { type RecipientSettings } from '../preferences/preferences.repository';
import { digestWindowEnd, planDeliveries } from './planner';

const base: RecipientSettings = {
  userId: 'u1',
  overrides: {},
  quiet: null,
  digest: 'off',
  phone: '+14155550123',
  devices: 1,
  suppressed: [],
};
const night = new Date('2026-07-01T21:30:00Z'); // 23:30 in Berlin
const quiet = { timeZone: 'Europe/Berlin', startMinute: 22 * 60, endMinute: 7 * 60 };

function plan(
  type: Parameters<typeof planDeliveries>[0]['type'],
  settings: Partial<RecipientSettings> = {},
  email: string | null = 'a@example.com',
  suppressed: string[] = [],
) {
  return Object.fromEntries(
    planDeliveries({
      type,
      settings: { ...base, suppressed, ...settings },
      email,
      now: night,
    }).map((p) => [p.channel, p]),
  );
}

describe('planDeliveries', () => {
  it("the type's defaults, then the user's choices; off means no delivery at all", () => {
    expect(Object.keys(plan(Events.publishing.jobFailed))).toEqual(['email', 'sms', 'push']);
    expect(Object.keys(plan(Events.publishing.jobCompleted))).toEqual(['push']);
    expect(
      Object.keys(plan(Events.publishing.jobFailed, { overrides: { sms: false, push: false } })),
    ).toEqual(['email']);
  });

  it('a channel never set up, or a suppressed address, is suppressed (not failed)', () => {
    const p = plan(Events.publishing.jobFailed, { phone: null, devices: 0 }, 'a@example.com', [
      'email:a@example.com',
    ]);
    expect(p['email']).toEqual(expect.objectContaining({ status: 'suppressed' }));
    expect(p['sms']).toEqual(expect.objectContaining({ status: 'suppressed', note: 'no phone number' }));
    expect(p['push']).toEqual(expect.objectContaining({ status: 'suppressed' }));
  });

  it('quiet hours hold non-critical SMS and push until the window ends; critical ones go now', () => {
    const held = plan(Events.content.submitted, { quiet, overrides: { sms: true } });
    expect(held['push']).toEqual(
      expect.objectContaining({ status: 'held', dueAt: new Date('2026-07-02T05:00:00Z') }),
    );
    expect(held['sms']).toEqual(expect.objectContaining({ status: 'held' }));
    expect(held['email']).toEqual(expect.objectContaining({ status: 'pending' }));
    const critical = plan(Events.publishing.jobFailed, { quiet });
    expect(Object.values(critical).map((p) => p.status)).toEqual(['pending', 'pending', 'pending']);
  });

  it('a digest holds non-critical email for its window; critical email goes now', () => {
    const digest = plan(Events.content.submitted, { digest: 'hourly' });
    expect(digest['email']).toEqual(
      expect.objectContaining({ status: 'held', digestWindowEnd: new Date('2026-07-01T22:00:00Z') }),
    );
    expect(plan(Events.publishing.jobFailed, { digest: 'daily' })['email']?.status).toBe('pending');
    expect(digestWindowEnd('daily', night, 'Europe/Berlin').toISOString()).toBe('2026-07-02T06:00:00.000Z');
  });
});
