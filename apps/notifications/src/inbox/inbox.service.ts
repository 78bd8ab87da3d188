import { Injectable } from '@nestjs/common';
import {
  type ListNotificationsQueryDto,
  type NotificationDto,
  NotificationsError,
  type Page,
  type RequestContext,
  type StreamSinceDto,
  UNREAD_COUNT_CAP,
  type UnreadCountDto,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { mapPage, scopeOf } from '@smartbeak/persistence';

import { InboxRepository, toNotificationDto } from './inbox.repository';

const STREAM_BATCH = 100;

/** The caller's own inbox: nobody reads or marks another member's notifications. */
@Injectable()
export class InboxService {
  constructor(private readonly inbox: InboxRepository) {}

  async list(ctx: RequestContext, query: ListNotificationsQueryDto): Promise<Page<NotificationDto>> {
    const page = await this.inbox.list(scopeOf(ctx), ctx.userId, query);
    return mapPage(page, toNotificationDto);
  }

  async unreadCount(ctx: RequestContext): Promise<UnreadCountDto> {
    const count = await this.inbox.unreadCount(scopeOf(ctx), ctx.userId, UNREAD_COUNT_CAP + 1);
    return { count: Math.min(count, UNREAD_COUNT_CAP), capped: count > UNREAD_COUNT_CAP };
  }

  async markRead(ctx: RequestContext, id: string): Promise<void> {
    // Another user's notification is as missing as one that never was.
    if (!(await this.inbox.markRead(scopeOf(ctx), ctx.userId, id))) {
      throw new DomainError(NotificationsError.NOTIFICATION_NOT_FOUND, 'Notification not found');
    }
  }

  async markAllRead(ctx: RequestContext): Promise<{ updated: number }> {
    return { updated: await this.inbox.markAllRead(scopeOf(ctx), ctx.userId) };
  }

  /**
   * For the live stream: what came after `after` (oldest first, at most a
   * batch), or — with no `after` — nothing but the current position, so a
   * new stream starts from now.
   */
  async since(
    ctx: RequestContext,
    query: StreamSinceDto,
  ): Promise<{ items: NotificationDto[]; head: string }> {
    const scope = scopeOf(ctx);
    if (query.after === undefined) return { items: [], head: await this.inbox.head(scope, ctx.userId) };
    const rows = await this.inbox.since(
      scope,
      ctx.userId,
      query.after,
      Math.min(query.limit ?? STREAM_BATCH, STREAM_BATCH),
    );
    return { items: rows.map(toNotificationDto), head: rows.at(-1)?.seq ?? query.after };
  }
}
