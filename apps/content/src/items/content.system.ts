import { appendToOutbox } from '@smartbeak/messaging';
import { Events } from '@smartbeak/contracts';
import { Repository, type SystemScope } from '@smartbeak/persistence';

/**
 * Content queries across every org, on purpose: the scheduler and the
 * retention sweeps. Each finds candidates; the change itself goes through
 * the write path, scoped to the item's org.
 */
export class ContentSystem extends Repository {
  /** A scheduled item's org and how long until it is due (negative: overdue). */
  dueIn(_scope: SystemScope, id: string): Promise<{ orgId: string; dueInMs: number } | undefined> {
    return this.sql.one(
      `SELECT org_id AS "orgId", (extract(epoch FROM scheduled_for - now()) * 1000)::float8 AS "dueInMs"
         FROM content_items WHERE id = $1 AND status = 'scheduled' AND deleted_at IS NULL`,
      [id],
    );
  }

  /** Scheduled items past their time, oldest first. */
  async overdue(_scope: SystemScope, batch: number): Promise<string[]> {
    const rows = await this.sql.rows<{ id: string }>(
      `SELECT id FROM content_items
        WHERE status = 'scheduled' AND scheduled_for <= now() AND deleted_at IS NULL
        ORDER BY scheduled_for LIMIT $1`,
      [batch],
    );
    return rows.map((row) => row.id);
  }

  /** Live items in `status` untouched for `days` (archived ones not yet cold, with `notCold`). */
  idle(
    _scope: SystemScope,
    status: 'draft' | 'archived',
    days: number,
    batch: number,
    notCold = false,
  ): Promise<{ id: string; orgId: string }[]> {
    return this.sql.rows(
      `SELECT id, org_id AS "orgId" FROM content_items
        WHERE deleted_at IS NULL AND status = $1 ${notCold ? 'AND cold_at IS NULL' : ''}
          AND updated_at < now() - make_interval(days => $2)
        ORDER BY updated_at LIMIT $3`,
      [status, days, batch],
    );
  }

  /**
   * Purges items soft-deleted over `days` ago with their events, revisions
   * and lock, leaving a `content.item.purged` event in the outbox. Call it
   * inside a transaction (`in(tx)`); several replicas skip each other's rows.
   */
  async purgeDeleted(_scope: SystemScope, days: number, batch: number): Promise<number> {
    const gone = await this.sql.rows<{ id: string; orgId: string; domainId: string; slug: string }>(
      `DELETE FROM content_items WHERE id IN (
         SELECT id FROM content_items WHERE deleted_at < now() - make_interval(days => $1)
          ORDER BY deleted_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, org_id AS "orgId", domain_id AS "domainId", slug`,
      [days, batch],
    );
    if (!gone.length) return 0;
    const ids = gone.map((row) => row.id);
    await this.sql.run(`DELETE FROM content_revisions WHERE item_id = ANY($1::uuid[])`, [ids]);
    await this.sql.run(`DELETE FROM content_events WHERE aggregate_id = ANY($1::uuid[])`, [ids]);
    await this.sql.run(`DELETE FROM content_locks WHERE item_id = ANY($1::uuid[])`, [ids]);
    await appendToOutbox(
      this.sql,
      gone.map((row) => ({
        type: Events.content.purged,
        aggregateId: row.id,
        orgId: row.orgId,
        domainId: row.domainId,
        payload: { actor: 'system', slug: row.slug },
      })),
    );
    return gone.length;
  }

  /** Leases that ended over a day ago. */
  async pruneLocks(_scope: SystemScope): Promise<void> {
    await this.sql.run(`DELETE FROM content_locks WHERE expires_at < now() - interval '1 day'`);
  }
}
