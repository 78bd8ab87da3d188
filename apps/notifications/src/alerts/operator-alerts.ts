import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EventEnvelope } from '@smartbeak/contracts';
import { systemScope, type Transaction } from '@smartbeak/persistence';

import { PermanentSendError, TransientSendError } from '../channels/provider';
import { OPERATOR_PAGER } from '../notifications.tokens';
import { DeliveryQueue } from '../queues/delivery-queue';
import { OperatorAlertsSystem } from './operator-alerts.system';
import { type Pager } from './pager';

const SYSTEM = systemScope('operator alerts: platform-wide pages to on-call');
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
    private readonly alerts: OperatorAlertsSystem,
    private readonly queue: DeliveryQueue,
    @Inject(OPERATOR_PAGER) private readonly pagers: Pager[],
  ) {}

  async raise(
    tx: Transaction,
    event: EventEnvelope,
    page: { severity: 'critical' | 'error'; summary: string },
  ): Promise<void> {
    const id = await this.alerts.in(tx).insert(SYSTEM, event, page);
    if (!id) return;
    this.logger.error(`ALERT operator page: ${page.summary}`);
    tx.afterCommit(() => this.queue.page(id));
  }

  /** Sends one alert (the operator queue's job). */
  async send(alertId: string): Promise<'sent' | 'retry' | 'dead' | 'skipped'> {
    const alert = await this.alerts.claim(SYSTEM, alertId);
    if (!alert) return 'skipped';
    if (!this.pagers.length) {
      await this.alerts.finish(
        SYSTEM,
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
      await this.alerts.finish(SYSTEM, alert.id, 'sent', errors.join('; ') || null);
      return 'sent';
    }
    if (alert.attempts >= MAX_ATTEMPTS || retryAfter === -Infinity) {
      await this.alerts.finish(SYSTEM, alert.id, 'dead', errors.join('; '));
      this.logger.error(`ALERT operator page could not be sent: ${alert.summary} (${errors.join('; ')})`);
      return 'dead';
    }
    await this.alerts.failedOnce(SYSTEM, alert.id, errors.join('; '));
    await this.queue.page(alert.id, `a${alert.attempts}`, Math.max(retryAfter, 1000 * 2 ** alert.attempts));
    return 'retry';
  }
}
