import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EventEnvelope } from '@smartbeak/contracts';
import { Database, type Transaction } from '@smartbeak/persistence';

import { PermanentSendError, TransientSendError } from '../channels/provider';
import { OPERATOR_PAGER } from '../notifications.tokens';
import { DeliveryQueue } from '../queues/delivery-queue';
import { type Pager } from './pager';

const MAX_ATTEMPTS = 10;

/**
 * Pages to on-call for system errors (the seed's error table): one row per
 * event (a redelivery pages once), sent through every configured pager
 * (PagerDuty, a signed webhook), retried with backoff, `dead` after 10 tries
 * — and every one logged at error level starting `ALERT`, which log alerting
 * matches even when no pager is configured.
 */
@Injectable()
export class OperatorAlerts {
  private readonly logger = new Logger('OperatorAlerts');

  constructor(
    private readonly database: Database,
    private readonly queue: DeliveryQueue,
    @Inject(OPERATOR_PAGER) private readonly pagers: Pager[],
  ) {}

  async raise(
    tx: Transaction,
    event: EventEnvelope,
    page: { severity: 'critical' | 'error'; summary: string },
  ): Promise<void> {
    const row = await tx.one<{ id: string }>(
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
    if (!row) return;
    this.logger.error(`ALERT operator page: ${page.summary}`);
    tx.afterCommit(() => this.queue.page(row.id));
  }

  /** Sends one alert (the operator queue's job). */
  async send(alertId: string): Promise<'sent' | 'retry' | 'dead' | 'skipped'> {
    const alert = await this.database.one<{
      id: string;
      eventId: string;
      severity: 'critical' | 'error';
      summary: string;
      details: Record<string, unknown>;
      status: string;
      attempts: number;
    }>(
      `UPDATE operator_alerts SET attempts = attempts + 1 WHERE id = $1 AND status = 'pending'
       RETURNING id, event_id AS "eventId", severity, summary, details, status, attempts`,
      [alertId],
    );
    if (!alert) return 'skipped';
    if (!this.pagers.length) {
      await this.finish(
        alert.id,
        'dead',
        'no operator channel configured (PAGERDUTY_ROUTING_KEY, OPERATOR_WEBHOOK_URL)',
      );
      return 'dead';
    }
    const errors: string[] = [];
    let retryAfter = 0;
    for (const pager of this.pagers) {
      try {
        await pager.page({
          dedupKey: alert.eventId,
          severity: alert.severity,
          summary: alert.summary,
          details: alert.details,
        });
      } catch (error) {
        errors.push(`${pager.name}: ${(error as Error).message}`);
        if (error instanceof TransientSendError) retryAfter = Math.max(retryAfter, error.retryAfterMs ?? 0);
        if (error instanceof PermanentSendError) retryAfter = -Infinity;
      }
    }
    // Sent when one pager took it: on-call is told.
    if (errors.length < this.pagers.length) {
      await this.finish(alert.id, 'sent', errors.join('; ') || null);
      return 'sent';
    }
    if (alert.attempts >= MAX_ATTEMPTS || retryAfter === -Infinity) {
      await this.finish(alert.id, 'dead', errors.join('; '));
      this.logger.error(`ALERT operator page could not be sent: ${alert.summary} (${errors.join('; ')})`);
      return 'dead';
    }
    await this.database.run(`UPDATE operator_alerts SET last_error = $2 WHERE id = $1`, [
      alert.id,
      errors.join('; '),
    ]);
    await this.queue.page(alert.id, `a${alert.attempts}`, Math.max(retryAfter, 1000 * 2 ** alert.attempts));
    return 'retry';
  }

  private async finish(id: string, status: 'sent' | 'dead', error: string | null): Promise<void> {
    await this.database.run(
      `UPDATE operator_alerts SET status = $2, last_error = $3, sent_at = CASE WHEN $2 = 'sent' THEN now() END WHERE id = $1`,
      [id, status, error],
    );
  }
}
