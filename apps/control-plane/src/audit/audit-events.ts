import { Injectable } from '@nestjs/common';
import { type EventEnvelope, Events } from '@smartbeak/contracts';
import { type EventHandler } from '@smartbeak/messaging';
import { type EventHandlerSet } from '@smartbeak/runtime';
import { type Sql } from '@smartbeak/persistence';

import { AuditService } from './audit.service';

/**
 * Other services' audited actions, arriving as events (at least once; the
 * consumer's inbox applies each once): the entry is written even if
 * control-plane was down when the action happened.
 */
@Injectable()
export class AuditEventHandlers implements EventHandlerSet {
  constructor(private readonly audit: AuditService) {}

  handlers(): Record<string, EventHandler> {
    return {
      [Events.content.lockRevoked]: (event, tx) =>
        this.record(event, tx, 'content.lock_broken', {
          holder: event.payload['holder'],
          expiresAt: event.payload['expiresAt'],
          title: event.payload['title'],
        }),
      [Events.content.reverted]: (event, tx) =>
        this.record(event, tx, 'content.revision_restored', {
          restoredFrom: event.payload['restoredFrom'],
          newVersion: event.version,
          title: event.payload['title'],
        }),
    };
  }

  private async record(
    event: EventEnvelope,
    tx: Sql,
    action: string,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    if (!event.orgId) return;
    await this.audit.record(tx, {
      orgId: event.orgId,
      domainId: event.domainId ?? undefined,
      actorId: typeof event.payload['actor'] === 'string' ? event.payload['actor'] : 'unknown',
      category: 'admin',
      action,
      targetType: 'content_item',
      targetId: event.aggregateId,
      metadata: { ...metadata, eventId: event.id },
      requestId: event.requestId ?? null,
    });
  }
}
