import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { Public } from '@smartbeak/auth';
import { ClerkWebhookMessage, CommonError, ControlPlaneError, Patterns } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import type { FastifyRequest } from 'fastify';

type Request = FastifyRequest & { rawBody?: Buffer };
import { Webhook } from 'svix';

import { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import { GatewayRpc } from '../rpc/gateway-rpc';

const header = (req: Request, name: string): string => {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
};

/**
 * Clerk → Svix → here. The signature (and its timestamp, ±5 min, which stops
 * replays of old deliveries) is checked over the exact bytes received; a
 * repeat of a delivered message is recognised by its `svix-id` downstream.
 */
@Controller('webhooks')
export class ClerkWebhookController {
  private readonly webhook?: Webhook;

  constructor(
    private readonly rpc: GatewayRpc,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    if (config.CLERK_WEBHOOK_SIGNING_SECRET) this.webhook = new Webhook(config.CLERK_WEBHOOK_SIGNING_SECRET);
  }

  @Post('clerk')
  @Public()
  @HttpCode(200)
  @ApiExcludeEndpoint()
  async receive(@Req() req: Request): Promise<{ received: true; outcome: string }> {
    if (!this.webhook) {
      throw new DomainError(
        CommonError.SERVICE_UNAVAILABLE,
        'Clerk webhooks are not configured (CLERK_WEBHOOK_SIGNING_SECRET)',
      );
    }
    const raw = req.rawBody ? req.rawBody.toString('utf8') : '';
    const headers = {
      'svix-id': header(req, 'svix-id'),
      'svix-timestamp': header(req, 'svix-timestamp'),
      'svix-signature': header(req, 'svix-signature'),
    };
    let event: { type?: unknown; data?: unknown; timestamp?: unknown };
    try {
      event = this.webhook.verify(raw, headers) as typeof event;
    } catch {
      throw new DomainError(
        ControlPlaneError.WEBHOOK_SIGNATURE_INVALID,
        'The webhook signature is missing, invalid or too old',
      );
    }
    if (typeof event.type !== 'string' || typeof event.data !== 'object' || event.data === null) {
      throw DomainError.validation([
        { field: 'type', message: 'a Clerk event with type and data is expected' },
      ]);
    }
    const message: ClerkWebhookMessage = {
      svixId: headers['svix-id'],
      type: event.type,
      data: event.data as Record<string, unknown>,
      timestamp: typeof event.timestamp === 'number' ? event.timestamp : Date.now(),
    };
    const { outcome } = await this.rpc.asGateway<{ outcome: string }>(
      Patterns.controlPlane.clerkWebhook,
      message,
    );
    return { received: true, outcome };
  }
}
