import {
  type DigestMode,
  NOTIFICATION_TYPES,
  type NotificationType,
  OUTBOUND_CHANNELS,
  type OutboundChannel,
} from '@smartbeak/contracts';

import { channelsFor } from '../preferences/preferences.service';
import { type RecipientSettings } from '../preferences/preferences.repository';
import { nextLocalTime, quietUntil } from '../preferences/quiet-hours';

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed' | 'held' | 'dead';

export interface PlannedDelivery {
  channel: OutboundChannel;
  status: 'pending' | 'held' | 'suppressed';
  address: string | null;
  /** When a held delivery may go (quiet hours). */
  dueAt: Date | null;
  /** The digest window a held email belongs to. */
  digestWindowEnd: Date | null;
  /** Why it is suppressed or held. */
  note: string | null;
}

const DIGEST_LOCAL_MINUTE = 8 * 60;

/** When the digest window that `at` falls in closes: the next full hour (UTC), or the next 08:00 local time. */
export function digestWindowEnd(mode: Exclude<DigestMode, 'off'>, at: Date, timeZone = 'UTC'): Date {
  if (mode === 'hourly') return new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000 + 3_600_000);
  return nextLocalTime(timeZone, DIGEST_LOCAL_MINUTE, at);
}

/**
 * Which outbound channels a notification goes to for one recipient, and how:
 * the type's defaults and the user's choices; an address nobody set up or a
 * suppressed one is `suppressed` (not failed); quiet hours hold non-critical
 * SMS and push until the window ends; a digest holds non-critical email for
 * its window. Pure: decided at the time the notification is made.
 */
export function planDeliveries(input: {
  type: NotificationType;
  settings: RecipientSettings;
  email: string | null;
  now: Date;
}): PlannedDelivery[] {
  const { type, settings, email, now } = input;
  const critical = NOTIFICATION_TYPES[type].critical;
  const channels = channelsFor(type, settings.overrides);
  const quietEnd = critical ? null : quietUntil(settings.quiet, now);
  const plans: PlannedDelivery[] = [];
  for (const channel of OUTBOUND_CHANNELS) {
    if (!channels[channel]) continue;
    const address = channel === 'email' ? email : channel === 'sms' ? settings.phone : null;
    const base = { channel, address, dueAt: null, digestWindowEnd: null };
    if (channel !== 'push' && !address) {
      plans.push({
        ...base,
        status: 'suppressed',
        note: `no ${channel === 'email' ? 'email address' : 'phone number'}`,
      });
    } else if (channel === 'push' && settings.devices === 0) {
      plans.push({ ...base, status: 'suppressed', note: 'no push device registered' });
    } else if (address && settings.suppressed.includes(`${channel}:${address.toLowerCase()}`)) {
      plans.push({
        ...base,
        status: 'suppressed',
        note: 'the address is suppressed (bounce, invalid or opted out)',
      });
    } else if (channel === 'email' && !critical && settings.digest !== 'off') {
      plans.push({
        ...base,
        status: 'held',
        digestWindowEnd: digestWindowEnd(settings.digest, now, settings.quiet?.timeZone),
        note: `${settings.digest} digest`,
      });
    } else if (channel !== 'email' && quietEnd) {
      plans.push({ ...base, status: 'held', dueAt: quietEnd, note: 'quiet hours' });
    } else {
      plans.push({ ...base, status: 'pending', note: null });
    }
  }
  return plans;
}
