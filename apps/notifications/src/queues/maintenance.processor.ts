import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { type OutboundChannel } from '@smartbeak/contracts';
import { systemScope } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { type Job } from 'bullmq';

import { OperatorAlertsSystem } from '../alerts/operator-alerts.system';
import { type NotificationsConfig } from '../config/notifications.config';
import { DeliveriesSystem } from '../delivery/deliveries.system';
import { DeliveryQueue } from './delivery-queue';
import { MAINTENANCE_QUEUE, SWEEP_JOB } from './queues';

const SYSTEM = systemScope('notifications sweep: lost jobs, due holds, closed digest windows, for every org');

/**
 * The sweep (a job scheduler, NOTIFICATIONS_SWEEP_EVERY_MS): queues again
 * deliveries whose job was lost (a crash between commit and queueing, a
 * flushed Redis), held ones whose time came, lapsed claims; closes digest
 * windows that ended and queues their emails; re-queues unsent pages.
 */
@Processor(MAINTENANCE_QUEUE)
export class MaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: NotificationsConfig,
    private readonly system: DeliveriesSystem,
    private readonly alerts: OperatorAlertsSystem,
    private readonly queue: DeliveryQueue,
  ) {
    super();
  }

  async process(job: Job): Promise<Record<string, number>> {
    if (job.name !== SWEEP_JOB) return {};
    return this.sweep();
  }

  async sweep(): Promise<Record<string, number>> {
    const grace = this.config.NOTIFICATIONS_SWEEP_EVERY_MS;
    const stale = await this.system.stale(SYSTEM, grace);
    const bucket = Math.floor(Date.now() / grace);
    for (const row of stale) {
      await this.queue.send(row.channel as OutboundChannel, row.id, { key: `s${row.attempts}-${bucket}` });
    }
    const closed = await this.system.closeDigests(SYSTEM);
    for (const digest of closed) await this.queue.digest(digest.id);
    const unsent = await this.system.pendingDigests(SYSTEM, grace * 2);
    for (const digest of unsent) await this.queue.digest(digest.id, `s${bucket}`);
    const pages = await this.alerts.pending(SYSTEM, grace * 4);
    for (const page of pages) await this.queue.page(page.id, `s${bucket}`);
    const counts = {
      requeued: stale.length,
      digests: closed.length,
      digestsRetried: unsent.length,
      pages: pages.length,
    };
    if (stale.length || closed.length || unsent.length || pages.length)
      this.logger.log(`sweep: ${JSON.stringify(counts)}`);
    return counts;
  }
}
