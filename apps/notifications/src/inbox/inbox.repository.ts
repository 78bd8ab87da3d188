import { type NotificationDto, type OutboundChannel, type Page } from '@smartbeak/contracts';
import { isUuid, newestFirst, orgFilter, Repository, type TenantScope, Where } from '@smartbeak/persistence';

import { type PlannedDelivery } from '../delivery/planner';

export interface NotificationRow {
  id: string;
  seq: string;
  orgId: string;
  domainId: string | null;
  userId: string;
  eventId: string;
  type: string;
  critical: boolean;
  title: string;
  body: string;
  link: string | null;
  /** Shown in the inbox (the user's in-app switch for the type); its other channels go either way. */
  inApp: boolean;
  createdAt: Date;
  readAt: Date | null;
}

export const NOTIFICATION_COLUMNS = `n.id, n.seq::text AS seq, n.org_id AS "orgId", n.domain_id AS "domainId",
  n.user_id AS "userId", n.event_id AS "eventId", n.type, n.critical, n.title, n.body, n.link,
  n.in_app AS "inApp", n.created_at AS "createdAt", n.read_at AS "readAt"`;

/** A delivery as made with its notification (deliveries.system.ts sends it). */
export interface MadeDelivery {
  id: string;
  channel: OutboundChannel;
  status: PlannedDelivery['status'];
  dueAt: Date | null;
}

export type NewNotification = Pick<
  NotificationRow,
  'domainId' | 'userId' | 'eventId' | 'type' | 'critical' | 'title' | 'body' | 'link' | 'inApp'
>;

/** A member's inbox: every method is for one org and one user (the caller). */
export class InboxRepository extends Repository {
  /**
   * Inserts the notifications not made yet for their event and user, with
   * the deliveries planned for each, in one statement; returns the new
   * notifications only, each with its deliveries.
   */
  async insertNew(
    scope: TenantScope,
    rows: (NewNotification & { deliveries: PlannedDelivery[] })[],
  ): Promise<(NotificationRow & { deliveries: MadeDelivery[] })[]> {
    if (!rows.length) return [];
    const planned = rows.flatMap((r) => r.deliveries.map((d) => ({ ...d, userId: r.userId })));
    const made = await this.sql.rows<NotificationRow & { deliveries: (MadeDelivery & { dueAt: string })[] }>(
      `WITH inserted AS (
         INSERT INTO notifications (org_id, domain_id, user_id, event_id, type, critical, title, body, link, in_app)
         SELECT $1, t.domain_id::uuid, t.user_id, t.event_id, t.type, t.critical, t.title, t.body, t.link, t.in_app
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::text[], $9::text[],
                       $10::boolean[])
             AS t(domain_id, user_id, event_id, type, critical, title, body, link, in_app)
         ON CONFLICT (event_id, user_id) DO NOTHING
         RETURNING *
       ), deliveries AS (
         INSERT INTO deliveries (notification_id, org_id, user_id, channel, status, address, due_at, digest_window_end, last_error)
         SELECT i.id, $1, i.user_id, p.channel, p.status, p.address, p.due_at::timestamptz, p.digest_window_end::timestamptz, p.note
           FROM unnest($11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])
             AS p(user_id, channel, status, address, due_at, digest_window_end, note)
           JOIN inserted i ON i.user_id = p.user_id
         RETURNING id, notification_id, channel, status, due_at
       )
       SELECT ${NOTIFICATION_COLUMNS},
              COALESCE((SELECT json_agg(json_build_object('id', d.id, 'channel', d.channel, 'status', d.status,
                                                          'dueAt', d.due_at))
                          FROM deliveries d WHERE d.notification_id = n.id), '[]') AS deliveries
         FROM inserted n`,
      [
        scope.orgId,
        rows.map((r) => r.domainId),
        rows.map((r) => r.userId),
        rows.map((r) => r.eventId),
        rows.map((r) => r.type),
        rows.map((r) => r.critical),
        rows.map((r) => r.title),
        rows.map((r) => r.body),
        rows.map((r) => r.link),
        rows.map((r) => r.inApp),
        planned.map((d) => d.userId),
        planned.map((d) => d.channel),
        planned.map((d) => d.status),
        planned.map((d) => d.address),
        planned.map((d) => d.dueAt?.toISOString() ?? null),
        planned.map((d) => d.digestWindowEnd?.toISOString() ?? null),
        planned.map((d) => d.note),
      ],
    );
    return made.map((n) => ({
      ...n,
      deliveries: n.deliveries.map((d) => ({ ...d, dueAt: d.dueAt ? new Date(d.dueAt) : null })),
    }));
  }

  list(
    scope: TenantScope,
    userId: string,
    filters: { unread?: boolean; limit?: number; cursor?: string },
  ): Promise<Page<NotificationRow>> {
    const where = new Where().add('n.org_id = ?', scope.orgId).add('n.user_id = ?', userId).add('n.in_app');
    if (filters.unread) where.add('n.read_at IS NULL');
    return newestFirst<NotificationRow>(
      this.sql,
      `SELECT ${NOTIFICATION_COLUMNS} FROM notifications n`,
      where,
      filters,
      'n',
    );
  }

  /** Unread notifications, counted up to `upTo` (a badge needs no more; the count stays an index range scan). */
  async unreadCount(scope: TenantScope, userId: string, upTo: number): Promise<number> {
    const row = await this.sql.one<{ count: number }>(
      `SELECT count(*)::int AS count FROM (
         SELECT 1 FROM notifications WHERE org_id = $1 AND user_id = $2 AND in_app AND read_at IS NULL LIMIT $3
       ) AS unread`,
      [scope.orgId, userId, upTo],
    );
    return row?.count ?? 0;
  }

  /** Whether the user has this notification (read now, or already). */
  async markRead(scope: TenantScope, userId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const row = await this.sql.one<{ id: string }>(
      `UPDATE notifications SET read_at = COALESCE(read_at, now())
        WHERE id = $1 AND ${orgFilter('org_id', '$2')} AND user_id = $3 AND in_app RETURNING id`,
      [id, scope.orgId, userId],
    );
    return Boolean(row);
  }

  async markAllRead(scope: TenantScope, userId: string): Promise<number> {
    return this.sql.run(
      `UPDATE notifications SET read_at = now() WHERE org_id = $1 AND user_id = $2 AND in_app AND read_at IS NULL`,
      [scope.orgId, userId],
    );
  }

  /** The user's notifications after a stream position, oldest first (the SSE backfill). */
  since(scope: TenantScope, userId: string, after: string, limit: number): Promise<NotificationRow[]> {
    return this.sql.rows<NotificationRow>(
      `SELECT ${NOTIFICATION_COLUMNS} FROM notifications n
        WHERE n.org_id = $1 AND n.user_id = $2 AND n.in_app AND n.seq > $3 ORDER BY n.seq LIMIT $4`,
      [scope.orgId, userId, after, limit],
    );
  }

  /** The stream's current position for the user ('0' when empty). */
  async head(scope: TenantScope, userId: string): Promise<string> {
    const row = await this.sql.one<{ seq: string | null }>(
      `SELECT max(seq)::text AS seq FROM notifications WHERE org_id = $1 AND user_id = $2`,
      [scope.orgId, userId],
    );
    return row?.seq ?? '0';
  }
}

export function toNotificationDto(row: NotificationRow): NotificationDto {
  return {
    id: row.id,
    seq: row.seq,
    type: row.type,
    title: row.title,
    body: row.body,
    link: row.link,
    domainId: row.domainId,
    critical: row.critical,
    createdAt: row.createdAt.toISOString(),
    readAt: row.readAt ? row.readAt.toISOString() : null,
  };
}
