import { Inject, Injectable } from '@nestjs/common';
import {
  type ChannelSwitches,
  CommonError,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_TYPE_NAMES,
  NOTIFICATION_TYPES,
  type NotificationChannel,
  NotificationsError,
  type PreferencesDto,
  type RegisterDeviceDto,
  type RequestContext,
  type UpdatePreferencesDto,
  isNotificationType,
  isTimeZone,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { Database, orgScope, scopeOf } from '@smartbeak/persistence';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

import { renderUnsubscribedPage } from '../channels/templates';
import { LINK_TOKENS } from '../notifications.tokens';
import { DevicesRepository } from './devices.repository';
import { type LinkTokens } from './link-token';
import { PreferencesRepository } from './preferences.repository';
import { type QuietWindow, toHhMm, toMinute } from './quiet-hours';

/** The channels a type goes to for a user: its defaults, then the user's choices; in-app stays on for critical types. */
export function channelsFor(
  type: string,
  overrides: Partial<Record<NotificationChannel, boolean>>,
): ChannelSwitches {
  const info = isNotificationType(type) ? NOTIFICATION_TYPES[type] : null;
  const channels = {
    ...(info?.defaults ?? { email: false, sms: false, push: false, in_app: true }),
    ...overrides,
  };
  if (info?.critical) channels.in_app = true;
  return channels;
}

/** E.164, or a 400 naming the field. */
export function normalisePhone(value: string): string {
  const parsed = parsePhoneNumberFromString(value);
  if (!parsed || !parsed.isValid() || !value.startsWith('+')) {
    throw new DomainError(
      CommonError.VALIDATION,
      'phone must be a valid number in E.164 form (+14155550123)',
      [{ field: 'phone', message: 'not a valid E.164 phone number' }],
    );
  }
  return parsed.number;
}

/** A member's own notification settings; nobody edits another's. */
@Injectable()
export class PreferencesService {
  constructor(
    private readonly database: Database,
    private readonly preferences: PreferencesRepository,
    private readonly devices: DevicesRepository,
    @Inject(LINK_TOKENS) private readonly links: LinkTokens,
  ) {}

  async get(ctx: RequestContext): Promise<PreferencesDto> {
    const scope = scopeOf(ctx);
    const [overrides, quiet, settings] = await Promise.all([
      this.preferences.overrides(scope, ctx.userId),
      this.preferences.quietHours(scope, ctx.userId),
      this.preferences.settings(scope, ctx.userId),
    ]);
    const byType = new Map<string, Partial<Record<NotificationChannel, boolean>>>();
    for (const row of overrides)
      byType.set(row.type, { ...byType.get(row.type), [row.channel]: row.enabled });
    return {
      items: NOTIFICATION_TYPE_NAMES.map((type) => ({
        type,
        critical: NOTIFICATION_TYPES[type].critical,
        description: NOTIFICATION_TYPES[type].description,
        channels: channelsFor(type, byType.get(type) ?? {}),
      })),
      quietHours: quiet
        ? { timeZone: quiet.timeZone, start: toHhMm(quiet.startMinute), end: toHhMm(quiet.endMinute) }
        : null,
      digest: settings.digest,
      phone: settings.phone,
    };
  }

  /** All or nothing: a refused part changes nothing. */
  async update(ctx: RequestContext, input: UpdatePreferencesDto): Promise<PreferencesDto> {
    const rows: { type: string; channel: NotificationChannel; enabled: boolean }[] = [];
    for (const [index, item] of (input.items ?? []).entries()) {
      if (!isNotificationType(item.type)) continue; // refused by the DTO already
      for (const channel of NOTIFICATION_CHANNELS) {
        const enabled = item.channels[channel];
        if (enabled === undefined) continue;
        if (!enabled && channel === 'in_app' && NOTIFICATION_TYPES[item.type].critical) {
          throw new DomainError(
            NotificationsError.CRITICAL_TYPE_NEEDS_A_CHANNEL,
            `${item.type} is critical: it always reaches the in-app inbox`,
            [
              {
                field: `items.${index}.channels.in_app`,
                message: 'cannot be turned off for a critical type',
              },
            ],
          );
        }
        rows.push({ type: item.type, channel, enabled });
      }
    }
    let quiet: QuietWindow | null | undefined;
    if (input.quietHours === null) quiet = null;
    else if (input.quietHours) {
      if (!isTimeZone(input.quietHours.timeZone)) {
        throw new DomainError(CommonError.VALIDATION, 'quietHours.timeZone must be an IANA time zone', [
          { field: 'quietHours.timeZone', message: `unknown time zone ${input.quietHours.timeZone}` },
        ]);
      }
      quiet = {
        timeZone: input.quietHours.timeZone,
        startMinute: toMinute(input.quietHours.start),
        endMinute: toMinute(input.quietHours.end),
      };
    }
    const phone =
      input.phone === undefined || input.phone === null ? input.phone : normalisePhone(input.phone);
    const scope = scopeOf(ctx);
    await this.database.transaction(async (tx) => {
      const preferences = this.preferences.in(tx);
      await preferences.setOverrides(scope, ctx.userId, rows);
      if (quiet !== undefined) await preferences.setQuietHours(scope, ctx.userId, quiet);
      if (input.digest !== undefined || phone !== undefined) {
        await preferences.setSettings(scope, ctx.userId, { digest: input.digest, phone });
      }
    });
    return this.get(ctx);
  }

  async registerDevice(ctx: RequestContext, input: RegisterDeviceDto): Promise<{ id: string }> {
    if (input.kind === 'fcm' && (!input.token || input.subscription)) {
      throw new DomainError(CommonError.VALIDATION, 'An fcm device takes a token (and no subscription)', [
        { field: 'token', message: 'required for kind fcm' },
      ]);
    }
    if (input.kind === 'webpush' && (!input.subscription || input.token)) {
      throw new DomainError(CommonError.VALIDATION, 'A webpush device takes a subscription (and no token)', [
        { field: 'subscription', message: 'required for kind webpush' },
      ]);
    }
    const id = await this.devices.upsert(scopeOf(ctx), ctx.userId, {
      kind: input.kind,
      address: input.kind === 'fcm' ? input.token! : input.subscription!.endpoint,
      keys: input.subscription
        ? { p256dh: input.subscription.keys.p256dh, auth: input.subscription.keys.auth }
        : null,
    });
    return { id };
  }

  async removeDevice(ctx: RequestContext, id: string): Promise<void> {
    if (!(await this.devices.remove(scopeOf(ctx), ctx.userId, id))) {
      throw new DomainError(NotificationsError.DEVICE_NOT_FOUND, 'Device not found');
    }
  }

  /** A signed link from an email turns one type off on one channel; anything else is a 400 that changes nothing. */
  async unsubscribe(token: string): Promise<{ type: string; channel: string; page: string }> {
    const claim = this.links.verify(token);
    if (
      !claim ||
      !isNotificationType(claim.type) ||
      !(NOTIFICATION_CHANNELS as readonly string[]).includes(claim.channel)
    ) {
      throw new DomainError(
        NotificationsError.UNSUBSCRIBE_TOKEN_INVALID,
        'This unsubscribe link is not valid',
      );
    }
    const channel = claim.channel as NotificationChannel;
    // In-app is never an email link's to turn off; critical types keep it anyway.
    if (channel !== 'in_app') {
      await this.preferences.setOverrides(orgScope(claim.orgId), claim.userId, [
        { type: claim.type, channel, enabled: false },
      ]);
    }
    return {
      type: claim.type,
      channel,
      page: renderUnsubscribedPage(NOTIFICATION_TYPES[claim.type].description),
    };
  }
}
