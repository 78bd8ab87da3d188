import { type Page } from '@smartbeak/contracts';
import { isUuid, newestFirst, orgFilter, Repository, type TenantScope, Where } from '@smartbeak/persistence';

export interface DeadLetterRow {
  id: string;
  deliveryId: string;
  notificationId: string;
  channel: string;
  userId: string;
  title: string;
  error: string;
  attempts: number;
  createdAt: Date;
  redrivenAt: Date | null;
}

const COLUMNS = `l.id, l.delivery_id AS "deliveryId", d.notification_id AS "notificationId", l.channel,
  d.user_id AS "userId", n.title, l.error, l.attempts, l.created_at AS "createdAt", l.redriven_at AS "redrivenAt"`;
const FROM = `delivery_dead_letters l JOIN deliveries d ON d.id = l.delivery_id JOIN notifications n ON n.id = d.notification_id`;

/** An org's dead deliveries (out of attempts): listed, and sent again. */
export class DeadLettersRepository extends Repository {
  list(
    scope: TenantScope,
    filters: { pending?: boolean; limit?: number; cursor?: string },
  ): Promise<Page<DeadLetterRow>> {
    const where = new Where().add('l.org_id = ?', scope.orgId);
    if (filters.pending) where.add('l.redriven_at IS NULL');
    return newestFirst<DeadLetterRow>(this.sql, `SELECT ${COLUMNS} FROM ${FROM}`, where, filters, 'l');
  }

  /**
   * Marks the letter re-driven and makes its delivery pending again, now,
   * with fresh attempts — in one statement, so two re-drives send once.
   */
  async redrive(
    scope: TenantScope,
    id: string,
  ): Promise<{ deliveryId: string; channel: string } | undefined> {
    if (!isUuid(id)) return undefined;
    return this.sql.one(
      `WITH letter AS (
         UPDATE delivery_dead_letters SET redriven_at = now()
          WHERE id = $1 AND ${orgFilter('org_id', '$2')} AND redriven_at IS NULL RETURNING delivery_id
       )
       UPDATE deliveries d SET status = 'pending', attempts = 0, due_at = NULL, last_error = NULL, updated_at = now()
         FROM letter WHERE d.id = letter.delivery_id AND d.status = 'dead'
       RETURNING d.id AS "deliveryId", d.channel`,
      [id, scope.orgId],
    );
  }

  find(scope: TenantScope, id: string): Promise<DeadLetterRow | undefined> {
    if (!isUuid(id)) return Promise.resolve(undefined);
    return this.sql.one<DeadLetterRow>(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE l.id = $1 AND ${orgFilter('l.org_id', '$2')}`,
      [id, scope.orgId],
    );
  }
}
