import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags, ApiOperation } from '@nestjs/swagger';
import { Public } from '@smartbeak/auth';
import { splitList } from '@smartbeak/config';
import { CommonError, healthPingPattern } from '@smartbeak/contracts';
import type { FastifyReply } from 'fastify';

import { GatewayConfig } from '../config/gateway.config';
import { problem, sendProblem } from '../problem/problem';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import { GatewayRpc } from '../rpc/gateway-rpc';

const PING_TIMEOUT_MS = 2_000;

@ApiTags('health')
@Controller('health')
export class ApiHealthController {
  private readonly services: string[];

  constructor(
    private readonly rpc: GatewayRpc,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.services = splitList(config.HEALTH_SERVICES);
  }

  /** 200 when the gateway and every service answer; else 503 naming those that do not. */
  @Get()
  @Public()
  @ApiOperation({ summary: 'Platform health: 200 when the gateway and every service answer, else 503 naming those that do not' })
  async health(@Res() res: FastifyReply): Promise<void> {
    const results = await Promise.all(
      this.services.map(async (service) => {
        try {
          await this.rpc.asGateway(healthPingPattern(service), {}, PING_TIMEOUT_MS);
          return [service, 'up'] as const;
        } catch {
          return [service, 'down'] as const;
        }
      }),
    );
    const services = Object.fromEntries(results);
    const down = results.filter(([, state]) => state === 'down').map(([service]) => service);
    if (down.length) {
      sendProblem(
        res,
        problem(503, CommonError.SERVICE_UNAVAILABLE, `Not answering: ${down.join(', ')}`, {
          services,
          instance: '/api/health',
        }),
      );
      return;
    }
    void res.status(200).send({ status: 'ok', services });
  }
}
