import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExcludeEndpoint,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import { CurrentContext, Public, RequirePermissions } from '@smartbeak/auth';
import {
  ApiPageOf,
  DeliveryDeadLetterDto,
  ListDeliveryDeadLettersQueryDto,
  ListNotificationsQueryDto,
  NotificationDto,
  type Page,
  Patterns,
  PreferencesDto,
  RegisterDeviceDto,
  type RequestContext,
  UpdatePreferencesDto,
  UnreadCountDto,
} from '@smartbeak/contracts';
import { type JsonText } from '@smartbeak/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { writeEventStreamHead } from '../http/fastify-http';
import { GatewayRpc } from '../rpc/gateway-rpc';
import { LiveStreams } from '../live/live-streams';

const HEARTBEAT_MS = 15_000;
/** Signals are fire-and-forget: a stream also looks by itself this often. */
const POLL_MS = 30_000;

/** The caller's own notifications: inbox, preferences, devices, the live stream; any member may use them. */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(
    private readonly rpc: GatewayRpc,
    private readonly live: LiveStreams,
  ) {}

  @Get()
  @ApiPageOf(NotificationDto)
  @ApiOperation({ summary: "The user's notifications, newest first, paged" })
  list(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListNotificationsQueryDto,
  ): Promise<JsonText<Page<NotificationDto>>> {
    return this.rpc.forwardText(Patterns.notifications.inboxList, ctx, query);
  }

  @Get('unread-count')
  @ApiOkResponse({ type: UnreadCountDto })
  @ApiOperation({ summary: 'How many notifications are unread' })
  unreadCount(@CurrentContext() ctx: RequestContext): Promise<JsonText<UnreadCountDto>> {
    return this.rpc.forwardText(Patterns.notifications.unreadCount, ctx);
  }

  @Post('read-all')
  @HttpCode(204)
  @ApiOperation({ summary: 'Mark every notification read' })
  async readAll(@CurrentContext() ctx: RequestContext): Promise<void> {
    await this.rpc.forward(Patterns.notifications.markAllRead, ctx);
  }

  @Get('preferences')
  @ApiOkResponse({ type: PreferencesDto })
  @ApiOperation({ summary: "The user's notification preferences per event and channel" })
  preferences(@CurrentContext() ctx: RequestContext): Promise<JsonText<PreferencesDto>> {
    return this.rpc.forwardText(Patterns.notifications.preferencesGet, ctx);
  }

  @Put('preferences')
  @ApiOkResponse({ type: PreferencesDto })
  @ApiOperation({ summary: 'Change notification preferences' })
  updatePreferences(
    @CurrentContext() ctx: RequestContext,
    @Body() body: UpdatePreferencesDto,
  ): Promise<PreferencesDto> {
    return this.rpc.forward(Patterns.notifications.preferencesUpdate, ctx, body);
  }

  @Post('devices')
  @HttpCode(201)
  @ApiCreatedResponse({ description: '{ id }' })
  @ApiOperation({ summary: 'Register a device for push notifications' })
  registerDevice(
    @CurrentContext() ctx: RequestContext,
    @Body() body: RegisterDeviceDto,
  ): Promise<{ id: string }> {
    return this.rpc.forward(Patterns.notifications.deviceRegister, ctx, body);
  }

  @Delete('devices/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a push device' })
  async removeDevice(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rpc.forward(Patterns.notifications.deviceRemove, ctx, { id });
  }

  /**
   * Server-Sent Events: each new notification as `event: notification` with
   * its stream position as `id`. A reconnect with `Last-Event-ID` first gets
   * everything after that position, so nothing is lost; without it the stream
   * starts from now. A comment line every 15 s keeps proxies from closing it.
   */
  @Get('stream')
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'Live notifications (server-sent events)' })
  async stream(
    @CurrentContext() ctx: RequestContext,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const lastEventId = req.headers['last-event-id'];
    const resume =
      typeof lastEventId === 'string' && /^\d{1,18}$/.test(lastEventId) ? lastEventId : undefined;
    let position =
      resume ?? (await this.rpc.forward<{ head: string }>(Patterns.notifications.streamSince, ctx, {})).head;
    reply.hijack();
    const raw = reply.raw;
    writeEventStreamHead(reply);
    raw.write(`retry: 3000\n: position ${position}\n\n`);
    let closed = false;
    let busy = false;
    let again = false;
    const pump = async (): Promise<void> => {
      if (closed) return;
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        do {
          again = false;
          for (;;) {
            const { items, head } = await this.rpc.forward<{ items: NotificationDto[]; head: string }>(
              Patterns.notifications.streamSince,
              ctx,
              { after: position },
            );
            for (const item of items) {
              if (closed) return;
              raw.write(`id: ${item.seq}\nevent: notification\ndata: ${JSON.stringify(item)}\n\n`);
            }
            position = head;
            if (items.length < 100) break;
          }
        } while (again && !closed);
      } catch {
        // The next signal or poll tries again; the position has not moved past anything unsent.
      } finally {
        busy = false;
      }
    };
    const stop = await this.live.listen(ctx.orgId, ctx.userId, () => void pump());
    const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
    const poll = setInterval(() => void pump(), POLL_MS);
    raw.on('close', () => {
      closed = true;
      clearInterval(heartbeat);
      clearInterval(poll);
      stop();
    });
    if (resume) await pump();
  }

  /** One-click unsubscribe from an email (RFC 8058): the signed link is the credential. */
  @Get('unsubscribe')
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  @ApiExcludeEndpoint()
  async unsubscribePage(@Query('token') token: string): Promise<string> {
    // notifications checks the signed link and writes the page (it owns the wording and the escaping).
    const done = await this.rpc.asGateway<{ page: string }>(Patterns.notifications.unsubscribe, {
      token: typeof token === 'string' ? token : '',
    });
    return done.page;
  }

  @Post('unsubscribe')
  @Public()
  @HttpCode(200)
  @ApiExcludeEndpoint()
  async unsubscribe(@Query('token') token: string): Promise<{ type: string; channel: string }> {
    const { type, channel } = await this.rpc.asGateway<{ type: string; channel: string }>(
      Patterns.notifications.unsubscribe,
      { token: typeof token === 'string' ? token : '' },
    );
    return { type, channel };
  }

  /** Twilio's delivery status callbacks and inbound messages (STOP): signed by Twilio, checked by notifications. */
  @Post('webhooks/twilio/:kind')
  @Public()
  @HttpCode(200)
  @ApiExcludeEndpoint()
  async twilio(@Param('kind') kind: string, @Req() req: FastifyRequest): Promise<{ received: true }> {
    const pattern =
      kind === 'inbound' ? Patterns.notifications.twilioInbound : Patterns.notifications.twilioStatus;
    const signature = req.headers['x-twilio-signature'];
    const params = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>;
    await this.rpc.asGateway(pattern, {
      url: req.url,
      signature: typeof signature === 'string' ? signature : '',
      params,
    });
    return { received: true };
  }

  /** The org's deliveries that ran out of attempts (every provider of the channel failing). */
  @Get('dead-letters')
  @RequirePermissions('org:admin')
  @ApiPageOf(DeliveryDeadLetterDto)
  @ApiOperation({ summary: 'Deliveries that ran out of attempts' })
  deadLetters(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListDeliveryDeadLettersQueryDto,
  ): Promise<JsonText<Page<DeliveryDeadLetterDto>>> {
    return this.rpc.forwardText(Patterns.notifications.deadLetterList, ctx, query);
  }

  /** Sends a dead delivery again, once (a second re-drive of the same letter is 404). */
  @Post('dead-letters/:id/redrive')
  @HttpCode(202)
  @RequirePermissions('org:admin')
  @ApiAcceptedResponse({ type: DeliveryDeadLetterDto })
  @ApiOperation({ summary: 'Send a dead-lettered delivery again' })
  redrive(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<DeliveryDeadLetterDto> {
    return this.rpc.forward(Patterns.notifications.deadLetterRedrive, ctx, { id });
  }

  @Post(':id/read')
  @HttpCode(204)
  @ApiOperation({ summary: 'Mark one notification read' })
  async read(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rpc.forward(Patterns.notifications.markRead, ctx, { id });
  }
}
