import { Injectable, Logger } from '@nestjs/common';
import { type EventEnvelope, Events } from '@smartbeak/contracts';
import { type EventHandler } from '@smartbeak/messaging';
import { type EventHandlerSet } from '@smartbeak/runtime';
import { orgScope, type Sql } from '@smartbeak/persistence';

import { JobCreation } from '../jobs/job-creation.service';

/**
 * Content's events. When an item's scheduled time comes (content publishes
 * it: `scheduled → published` by the system), a job for the domain's
 * auto-publish targets is made — once per event (the consumer's inbox).
 */
@Injectable()
export class ContentEventHandlers implements EventHandlerSet {
  private readonly logger = new Logger(ContentEventHandlers.name);

  constructor(private readonly creation: JobCreation) {}

  handlers(): Record<string, EventHandler> {
    return { [Events.content.published]: (event, tx) => this.onPublished(event, tx) };
  }

  private async onPublished(event: EventEnvelope, tx: Sql): Promise<void> {
    if (event.payload['from'] !== 'scheduled' || !event.orgId || !event.domainId) return;
    const job = await this.creation.createForScheduledPublish(
      tx,
      orgScope(event.orgId),
      event.domainId,
      event.aggregateId,
    );
    if (job) this.logger.log(`job ${job.id} for scheduled item ${event.aggregateId}`);
  }
}
