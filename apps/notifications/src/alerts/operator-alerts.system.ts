import { type EventEnvelope } from '@smartbeak/contracts';
import { Repository, type SystemScope } from '@smartbeak/persistence';

export interface OperatorAlertRow {
  id: string;
  eventId: string;
  severity: 'critical' | 'error';
  summary: string;
  details: Record<string, unknown>;
  attempts: number;
}

/** Pages to on-call: platform-wide, one per event. */
export class OperatorAlertsSystem extends Repository {
  /** The alert of this event, unless it was raised already (a redelivery): its id, or null. */
  async insert(
    _scope: SystemScope,
    event: EventEnvelope,
    page: { severity: 'critical' | 'error'; summary: string },
  ): Promise<string | null> {
    const row = await this.sql.one<{ id: string }>(
      `INSERT INTO operator_alerts (event_id, org_id, severity, summary, details) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (event_id) DO NOTHING RETURNING id`,
      [
        event.id,
        event.orgId,
        page.severity,
        page.summary,
        JSON.stringify({ eventType: event.type, ...event.payload }),
      ],
    );
    return row?.id ?? null;
  }

  /** A pending alert, its attempt counted; undefined once it is sent or dead. */
  claim(_scope: SystemScope, id: string): Promise<OperatorAlertRow | undefined> {
    return this.sql.one<OperatorAlertRow>(
      `UPDATE operator_alerts SET attempts = attempts + 1 WHERE id = $1 AND status = 'pending'
       RETURNING id, event_id AS "eventId", severity, summary, details, attempts`,
      [id],
    );
  }

  async finish(
    _scope: SystemScope,
    id: string,
    status: 'sent' | 'dead',
    error: string | null,
  ): Promise<void> {
    await this.sql.run(
      `UPDATE operator_alerts SET status = $2::varchar, last_error = $3, sent_at = CASE WHEN $2::varchar = 'sent' THEN now() END
        WHERE id = $1`,
      [id, status, error],
    );
  }

  async failedOnce(_scope: SystemScope, id: string, error: string): Promise<void> {
    await this.sql.run(`UPDATE operator_alerts SET last_error = $2 WHERE id = $1`, [id, error]);
  }

  /** Pending alerts older than `graceMs` (a lost job): the sweeper queues them again. */
  pending(_scope: SystemScope, graceMs: number): Promise<{ id: string }[]> {
    return this.sql.rows(
      `SELECT id FROM operator_alerts
        WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1::float8 / 1000) LIMIT 100`,
      [graceMs],
    );
  }
}
