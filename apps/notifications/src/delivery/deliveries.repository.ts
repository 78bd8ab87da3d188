import { Repository, type TenantScope } from '@smartbeak/persistence';

import { type PlannedDelivery } from './planner';

export interface NewDelivery extends PlannedDelivery {
  notificationId: string;
  userId: string;
}

/** Deliveries as they are made for an org's notifications (sending is deliveries.system.ts). */
export class DeliveriesRepository extends Repository {
  async insert(
    scope: TenantScope,
    rows: NewDelivery[],
  ): Promise<{ id: string; channel: string; status: string; dueAt: Date | null }[]> {
    if (!rows.length) return [];
    return this.sql.rows(
      `INSERT INTO deliveries (notification_id, org_id, user_id, channel, status, address, due_at, digest_window_end, last_error)
       SELECT t.notification_id::uuid, $1, t.user_id, t.channel, t.status, t.address, t.due_at::timestamptz,
              t.digest_window_end::timestamptz, t.note
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
           AS t(notification_id, user_id, channel, status, address, due_at, digest_window_end, note)
       ON CONFLICT (notification_id, channel) DO NOTHING
       RETURNING id, channel, status, due_at AS "dueAt"`,
      [
        scope.orgId,
        rows.map((r) => r.notificationId),
        rows.map((r) => r.userId),
        rows.map((r) => r.channel),
        rows.map((r) => r.status),
        rows.map((r) => r.address),
        rows.map((r) => r.dueAt?.toISOString() ?? null),
        rows.map((r) => r.digestWindowEnd?.toISOString() ?? null),
        rows.map((r) => r.note),
      ],
    );
  }

  /** Which of these `channel:address` keys may not be sent to (lower-cased). */
  async suppressed(keys: string[]): Promise<Set<string>> {
    if (!keys.length) return new Set();
    const rows = await this.sql.rows<{ key: string }>(
      `SELECT channel || ':' || lower(address) AS key FROM suppressions WHERE channel || ':' || lower(address) = ANY($1)`,
      [keys],
    );
    return new Set(rows.map((r) => r.key));
  }
}
