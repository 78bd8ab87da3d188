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
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExcludeEndpoint,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentContext, Public } from '@smartbeak/auth';
import {
  ListNotificationsQueryDto,
  type NotificationDto,
  type Page,
  Patterns,
  PreferencesDto,
  RegisterDeviceDto,
  type RequestContext,
  UpdatePreferencesDto,
} from '@smartbeak/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { escapeHtml } from './html';
import { GatewayRpc } from '../rpc/gateway-rpc';
import { LiveStreams } from './live-streams';

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
  list(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListNotificationsQueryDto,
  ): Promise<Page<NotificationDto>> {
    return this.rpc.forward(Patterns.notifications.inboxList, ctx, query);
  }

  @Get('unread-count')
  unreadCount(@CurrentContext() ctx: RequestContext): Promise<{ count: number }> {
    return this.rpc.forward(Patterns.notifications.unreadCount, ctx);
  }

  @Post('read-all')
  @HttpCode(204)
  async readAll(@CurrentContext() ctx: RequestContext): Promise<void> {
    await this.rpc.forward(Patterns.notifications.markAllRead, ctx);
  }

  @Get('preferences')
  @ApiOkResponse({ type: PreferencesDto })
  preferences(@CurrentContext() ctx: RequestContext): Promise<PreferencesDto> {
    return this.rpc.forward(Patterns.notifications.preferencesGet, ctx);
  }

  @Put('preferences')
  @ApiOkResponse({ type: PreferencesDto })
  updatePreferences(
    @CurrentContext() ctx: RequestContext,
    @Body() body: UpdatePreferencesDto,
  ): Promise<PreferencesDto> {
    return this.rpc.forward(Patterns.notifications.preferencesUpdate, ctx, body);
  }

  @Post('devices')
  @HttpCode(201)
  @ApiCreatedResponse({ description: '{ id }' })
  registerDevice(
    @CurrentContext() ctx: RequestContext,
    @Body() body: RegisterDeviceDto,
  ): Promise<{ id: string }> {
    return this.rpc.forward(Patterns.notifications.deviceRegister, ctx, body);
  }

  @Delete('devices/:id')
  @HttpCode(204)
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
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
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
    const done = await this.rpc.asGateway<{ type: string; channel: string }>(
      Patterns.notifications.unsubscribe,
      {
        token: typeof token === 'string' ? token : '',
      },
    );
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Unsubscribed</title></head><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem"><h1>Unsubscribed</h1><p>You will no longer get ${escapeHtml(done.channel)} about <b>${escapeHtml(done.type)}</b>. You can turn it back on in your notification settings.</p></body></html>`;
  }

  @Post('unsubscribe')
  @Public()
  @HttpCode(200)
  @ApiExcludeEndpoint()
  unsubscribe(@Query('token') token: string): Promise<{ type: string; channel: string }> {
    return this.rpc.asGateway(Patterns.notifications.unsubscribe, {
      token: typeof token === 'string' ? token : '',
    });
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

  @Post(':id/read')
  @HttpCode(204)
  async read(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rpc.forward(Patterns.notifications.markRead, ctx, { id });
  }
}
