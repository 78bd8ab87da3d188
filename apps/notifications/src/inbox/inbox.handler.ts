import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  ListNotificationsQueryDto,
  type NotificationDto,
  NotificationIdDto,
  type Page,
  Patterns,
  type RequestContext,
  StreamSinceDto,
  type UnreadCountDto,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';

import { InboxService } from './inbox.service';

/** Thin: each pattern validates its payload and calls the service. */
@Controller()
export class InboxHandler {
  constructor(private readonly inbox: InboxService) {}

  @MessagePattern(Patterns.notifications.inboxList)
  list(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ListNotificationsQueryDto) query: ListNotificationsQueryDto,
  ): Promise<Page<NotificationDto>> {
    return this.inbox.list(ctx, query);
  }

  @MessagePattern(Patterns.notifications.unreadCount)
  unreadCount(@RpcCtx() ctx: RequestContext): Promise<UnreadCountDto> {
    return this.inbox.unreadCount(ctx);
  }

  @MessagePattern(Patterns.notifications.markRead)
  async markRead(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(NotificationIdDto) { id }: NotificationIdDto,
  ): Promise<{ ok: true }> {
    await this.inbox.markRead(ctx, id);
    return { ok: true };
  }

  @MessagePattern(Patterns.notifications.markAllRead)
  markAllRead(@RpcCtx() ctx: RequestContext): Promise<{ updated: number }> {
    return this.inbox.markAllRead(ctx);
  }

  @MessagePattern(Patterns.notifications.streamSince)
  since(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(StreamSinceDto) query: StreamSinceDto,
  ): Promise<{ items: NotificationDto[]; head: string }> {
    return this.inbox.since(ctx, query);
  }
}
