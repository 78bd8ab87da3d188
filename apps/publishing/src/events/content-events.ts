import { Injectable, Logger } from '@nestjs/common';
import { type EventEnvelope, Events } from '@smartbeak/contracts';
import { type EventHandler } from '@smartbeak/messaging';
import { type EventHandlerSet } from '@smartbeak/runtime';
import { type EntityManager } from 'typeorm';

import { JobsService } from '../jobs/jobs.service';
import { TargetsService } from '../targets/targets.service';

/**
 * Content's events. When an item's scheduled time comes (content publishes
 * it: `scheduled → published` by the system), a job for the domain's
 * auto-publish targets is made — once per event (the consumer's inbox).
 */
@Injectable()
export class ContentEventHandlers implements EventHandlerSet {
  private readonly logger = new Logger(ContentEventHandlers.name);

  constructor(
    private readonly jobs: JobsService,
    private readonly targets: TargetsService,
  ) {}

  handlers(): Record<string, EventHandler> {
    return { [Events.content.published]: (event, manager) => this.onPublished(event, manager) };
  }

  private async onPublished(event: EventEnvelope, manager: EntityManager): Promise<void> {
    if (event.payload['from'] !== 'scheduled' || !event.orgId || !event.domainId) return;
    const targetIds = await this.targets.autoTargets(manager, event.orgId, event.domainId);
    if (!targetIds.length) return;
    const content = await this.jobs.content(event.orgId, event.aggregateId);
    const hostname = await this.jobs.hostnameOf(event.orgId, event.domainId);
    const { job } = await this.jobs.insert(manager, {
      orgId: event.orgId,
      actor: 'system',
      content,
      hostname,
      targetIds,
      scheduledFor: null,
    });
    // Queued inside the inbox transaction: if it rolls back, the worker finds no such job and stops.
    await this.jobs.enqueue(job);
    this.logger.log(`job ${job.id} for scheduled item ${event.aggregateId} (${targetIds.length} target(s))`);
  }
}
