import { Injectable, Logger } from '@nestjs/common';
import { type EventEnvelope, Events } from '@smartbeak/contracts';
import { type EventHandler } from '@smartbeak/messaging';
import { systemScope, type Transaction } from '@smartbeak/persistence';
import { type EventHandlerSet } from '@smartbeak/runtime';

import { IngestionQueue } from '../queues/ingestion-queue';
import { SourcesSystem } from '../sources/sources.system';

const SYSTEM = systemScope("control-plane's domain and org events pause and resume SEO sources");

/**
 * A suspended domain's sources stop calling Search Console and Ahrefs (no
 * schedule, no run now) until it is resumed; a deleted org's stop for good.
 * Their data stays, as control-plane keeps the domains themselves. Each
 * event is applied once (the consumer's inbox); the schedules change after
 * the commit.
 */
@Injectable()
export class ControlPlaneEventHandlers implements EventHandlerSet {
  private readonly logger = new Logger(ControlPlaneEventHandlers.name);

  constructor(
    private readonly sources: SourcesSystem,
    private readonly queue: IngestionQueue,
  ) {}

  handlers(): Record<string, EventHandler> {
    return {
      [Events.controlPlane.domainSuspended]: (event, tx) => this.pause(event, tx, true),
      [Events.controlPlane.domainResumed]: (event, tx) => this.pause(event, tx, false),
      [Events.controlPlane.orgDeleted]: (event, tx) => this.pause(event, tx, true),
    };
  }

  private async pause(event: EventEnvelope, tx: Transaction, paused: boolean): Promise<void> {
    if (!event.orgId) return;
    const domainId =
      event.type === Events.controlPlane.orgDeleted ? undefined : (event.domainId ?? event.aggregateId);
    const ids = await this.sources.setPaused(tx, SYSTEM, { orgId: event.orgId, domainId }, paused);
    if (!ids.length) return;
    tx.afterCommit(async () => {
      for (const id of ids) await (paused ? this.queue.unschedule(id) : this.queue.schedule(id));
    });
    this.logger.log(`${paused ? 'paused' : 'resumed'} ${ids.length} SEO source(s) on ${event.type}`);
  }
}
