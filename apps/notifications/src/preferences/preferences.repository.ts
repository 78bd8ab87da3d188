import { type DigestMode, type NotificationChannel } from '@smartbeak/contracts';
import { Repository, type TenantScope } from '@smartbeak/persistence';

import { type QuietWindow } from './quiet-hours';

/** What one recipient chose, as the delivery planner needs it. */
export interface RecipientSettings {
  userId: string;
  /** Only the choices away from the type's defaults. */
  overrides: Partial<Record<NotificationChannel, boolean>>;
  quiet: QuietWindow | null;
  digest: DigestMode;
  phone: string | null;
  devices: number;
  /** The member's email (given) and phone, as `channel:address`, where they are suppressed. */
  suppressed: string[];
}

/** A member who chose nothing: the type's defaults, no quiet hours, no digest. */
export function noSettings(userId: string): RecipientSettings {
  return { userId, overrides: {}, quiet: null, digest: 'off', phone: null, devices: 0, suppressed: [] };
}

/** A member's own settings, within one org: preferences, quiet hours, digest, phone. */
export class PreferencesRepository extends Repository {
  async overrides(
    scope: TenantScope,
    userId: string,
  ): Promise<{ type: string; channel: NotificationChannel; enabled: boolean }[]> {
    return this.sql.rows(
      `SELECT type, channel, enabled FROM preferences WHERE org_id = $1 AND user_id = $2`,
      [scope.orgId, userId],
    );
  }

  async setOverrides(
    scope: TenantScope,
    userId: string,
    rows: { type: string; channel: NotificationChannel; enabled: boolean }[],
  ): Promise<void> {
    if (!rows.length) return;
    await this.sql.run(
      `INSERT INTO preferences (org_id, user_id, type, channel, enabled)
       SELECT $1, $2, t.type, t.channel, t.enabled FROM unnest($3::text[], $4::text[], $5::boolean[]) AS t(type, channel, enabled)
       ON CONFLICT (org_id, user_id, type, channel) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()`,
      [scope.orgId, userId, rows.map((r) => r.type), rows.map((r) => r.channel), rows.map((r) => r.enabled)],
    );
  }

  async quietHours(scope: TenantScope, userId: string): Promise<QuietWindow | null> {
    const row = await this.sql.one<QuietWindow>(
      `SELECT time_zone AS "timeZone", start_minute AS "startMinute", end_minute AS "endMinute"
         FROM quiet_hours WHERE org_id = $1 AND user_id = $2`,
      [scope.orgId, userId],
    );
    return row ?? null;
  }

  async setQuietHours(scope: TenantScope, userId: string, window: QuietWindow | null): Promise<void> {
    if (!window) {
      await this.sql.run(`DELETE FROM quiet_hours WHERE org_id = $1 AND user_id = $2`, [scope.orgId, userId]);
      return;
    }
    await this.sql.run(
      `INSERT INTO quiet_hours (org_id, user_id, time_zone, start_minute, end_minute) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (org_id, user_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, start_minute = EXCLUDED.start_minute,
         end_minute = EXCLUDED.end_minute, updated_at = now()`,
      [scope.orgId, userId, window.timeZone, window.startMinute, window.endMinute],
    );
  }

  async settings(scope: TenantScope, userId: string): Promise<{ digest: DigestMode; phone: string | null }> {
    const row = await this.sql.one<{ digest: DigestMode; phone: string | null }>(
      `SELECT digest, phone FROM recipient_settings WHERE org_id = $1 AND user_id = $2`,
      [scope.orgId, userId],
    );
    return row ?? { digest: 'off', phone: null };
  }

  /** Sets what is given (`undefined` keeps; `null` phone removes it). */
  async setSettings(
    scope: TenantScope,
    userId: string,
    change: { digest?: DigestMode; phone?: string | null },
  ): Promise<void> {
    await this.sql.run(
      `INSERT INTO recipient_settings (org_id, user_id, digest, phone) VALUES ($1, $2, COALESCE($3, 'off'), $4)
       ON CONFLICT (org_id, user_id) DO UPDATE SET
         digest = COALESCE($3, recipient_settings.digest),
         phone = CASE WHEN $5 THEN $4 ELSE recipient_settings.phone END,
         updated_at = now()`,
      [scope.orgId, userId, change.digest ?? null, change.phone ?? null, change.phone !== undefined],
    );
  }

  /**
   * Everything the planner needs about the recipients for one notification
   * type, suppressed addresses included, in one round trip.
   */
  async forRecipients(
    scope: TenantScope,
    recipients: { userId: string; email: string | null }[],
    type: string,
  ): Promise<Map<string, RecipientSettings>> {
    const rows = await this.sql.rows<{
      userId: string;
      overrides: Record<string, boolean> | null;
      timeZone: string | null;
      startMinute: number | null;
      endMinute: number | null;
      digest: DigestMode | null;
      phone: string | null;
      devices: number;
      suppressed: string[];
    }>(
      `SELECT u.user_id AS "userId",
              (SELECT jsonb_object_agg(p.channel, p.enabled) FROM preferences p
                WHERE p.org_id = $1 AND p.user_id = u.user_id AND p.type = $3) AS overrides,
              q.time_zone AS "timeZone", q.start_minute AS "startMinute", q.end_minute AS "endMinute",
              s.digest, s.phone,
              (SELECT count(*)::int FROM devices d WHERE d.org_id = $1 AND d.user_id = u.user_id) AS devices,
              ARRAY(SELECT x.channel || ':' || x.address FROM suppressions x
                     WHERE (x.channel = 'email' AND x.address = lower(u.email))
                        OR (x.channel = 'sms' AND x.address = lower(s.phone))) AS suppressed
         FROM unnest($2::text[], $4::text[]) AS u(user_id, email)
         LEFT JOIN quiet_hours q ON q.org_id = $1 AND q.user_id = u.user_id
         LEFT JOIN recipient_settings s ON s.org_id = $1 AND s.user_id = u.user_id`,
      [scope.orgId, recipients.map((r) => r.userId), type, recipients.map((r) => r.email)],
    );
    return new Map(
      rows.map((row) => [
        row.userId,
        {
          userId: row.userId,
          overrides: row.overrides ?? {},
          quiet:
            row.timeZone !== null && row.startMinute !== null && row.endMinute !== null
              ? { timeZone: row.timeZone, startMinute: row.startMinute, endMinute: row.endMinute }
              : null,
          digest: row.digest ?? 'off',
          phone: row.phone,
          devices: row.devices,
          suppressed: row.suppressed,
        },
      ]),
    );
  }
}
