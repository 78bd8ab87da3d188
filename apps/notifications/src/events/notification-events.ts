import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type ContentItemDto,
  type EventEnvelope,
  NOTIFICATION_TYPE_NAMES,
  NOTIFICATION_TYPES,
  Patterns,
  type RecipientDto,
  type RecipientsQueryDto,
} from '@smartbeak/contracts';
import { type EventHandler, RpcClient, serviceCallContext } from '@smartbeak/messaging';
import { orgScope, type Transaction } from '@smartbeak/persistence';
import { type EventHandlerSet, SERVICE_CONFIG } from '@smartbeak/runtime';
import { LRUCache } from 'lru-cache';

import { OperatorAlerts } from '../alerts/operator-alerts';
import { type NotificationsConfig } from '../config/notifications.config';
import { planDeliveries } from '../delivery/planner';
import { InboxRepository } from '../inbox/inbox.repository';
import { LiveSignal } from '../live/live-signal';
import { noSettings, PreferencesRepository } from '../preferences/preferences.repository';
import { channelsFor } from '../preferences/preferences.service';
import { DeliveryQueue } from '../queues/delivery-queue';
import { describe, needsItem } from './describe';

/**
 * Events → notifications. In the inbox transaction (applied once per event):
 * the recipients (control-plane's members of the event's org, never a name
 * from the payload alone), one notification per recipient (unique per event
 * and user), its deliveries per channel as planned. After commit: the jobs
 * and the live signals (lost ones are the sweeper's).
 */
@Injectable()
export class NotificationEvents implements EventHandlerSet {
  private readonly logger = new Logger(NotificationEvents.name);
  /** Control-plane's members per org and audience query, for a few seconds (a burst of events asks once). */
  private readonly members: LRUCache<string, RecipientDto[]> | null;

  constructor(
    @Inject(SERVICE_CONFIG) config: NotificationsConfig,
    private readonly rpc: RpcClient,
    private readonly inbox: InboxRepository,
    private readonly preferences: PreferencesRepository,
    private readonly queue: DeliveryQueue,
    private readonly live: LiveSignal,
    private readonly alerts: OperatorAlerts,
  ) {
    this.members = config.NOTIFICATIONS_RECIPIENTS_TTL_MS
      ? new LRUCache({ max: 5_000, ttl: config.NOTIFICATIONS_RECIPIENTS_TTL_MS })
      : null;
  }

  handlers(): Record<string, EventHandler> {
    return Object.fromEntries(
      NOTIFICATION_TYPE_NAMES.map((type) => [type, (event, tx) => this.apply(event, tx)]),
    );
  }

  private async apply(event: EventEnvelope, tx: Transaction): Promise<void> {
    if (!event.orgId) return;
    const item = needsItem(event.type) ? await this.item(event.orgId, event.aggregateId) : null;
    const described = describe(event, item);
    if (!described) return;
    if (described.page) await this.alerts.raise(tx, event, described.page);
    const recipients = await this.recipients(event.orgId, described.audience, described.exclude);
    if (!recipients.length) return;
    const scope = orgScope(event.orgId);
    const critical = NOTIFICATION_TYPES[described.type].critical;
    const settings = await this.preferences.in(tx).forRecipients(scope, recipients, described.type);
    const now = new Date();
    const made = await this.inbox.in(tx).insertNew(
      scope,
      recipients.flatMap((r) => {
        const mine = settings.get(r.userId) ?? noSettings(r.userId);
        const channels = channelsFor(described.type, mine.overrides);
        // A recipient who turned every channel of the type off gets nothing, not even a row.
        if (!Object.values(channels).some(Boolean)) return [];
        return [
          {
            domainId: event.domainId,
            userId: r.userId,
            eventId: event.id,
            type: described.type,
            critical,
            title: described.title.slice(0, 300),
            body: described.body,
            link: described.link,
            inApp: channels.in_app,
            deliveries: planDeliveries({ type: described.type, settings: mine, email: r.email ?? null, now }),
          },
        ];
      }),
    );
    if (!made.length) return;
    const rows = made.flatMap((n) => n.deliveries);
    tx.afterCommit(async () => {
      for (const row of rows) {
        if (row.status === 'pending') await this.queue.send(row.channel, row.id);
        else if (row.status === 'held' && row.dueAt) {
          await this.queue.send(row.channel, row.id, {
            delayMs: row.dueAt.getTime() - Date.now(),
            key: 'held',
          });
        }
      }
      for (const notification of made.filter((n) => n.inApp)) {
        await this.live
          .notify(notification.orgId, notification.userId, notification.seq)
          .catch(() => undefined);
      }
    });
    this.logger.log(`${event.type} ${event.id}: ${made.length} notification(s), ${rows.length} deliveries`);
  }

  private async recipients(
    orgId: string,
    audience: { userIds?: string[]; permission?: string }[],
    exclude: string[],
  ): Promise<RecipientDto[]> {
    const found = new Map<string, RecipientDto>();
    for (const query of audience) {
      for (const member of await this.membersOf(orgId, query)) found.set(member.userId, member);
    }
    for (const userId of exclude) found.delete(userId);
    return [...found.values()];
  }

  private async membersOf(orgId: string, query: RecipientsQueryDto): Promise<RecipientDto[]> {
    const key = `${orgId}\n${JSON.stringify(query)}`;
    const known = this.members?.get(key);
    if (known) return known;
    const members = await this.rpc.send<RecipientDto[]>(Patterns.controlPlane.memberRecipients, {
      ctx: serviceCallContext(orgId),
      payload: query,
    });
    this.members?.set(key, members);
    return members;
  }

  private async item(orgId: string, id: string): Promise<ContentItemDto | null> {
    try {
      return await this.rpc.send<ContentItemDto>(Patterns.content.get, {
        ctx: serviceCallContext(orgId),
        payload: { id },
      });
    } catch (error) {
      // Gone since (purged): no title to tell; the notification still goes, without it.
      if ((error as { code?: string }).code?.endsWith('NOT_FOUND')) return null;
      throw error;
    }
  }
}
