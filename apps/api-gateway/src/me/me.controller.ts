import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { CurrentContext } from '@smartbeak/auth';
import { MeDto, Patterns, RequestContext } from '@smartbeak/contracts';

import { ControlPlaneCache } from '../rpc/control-plane-cache';
import { GatewayRpc } from '../rpc/gateway-rpc';

@ApiTags('control-plane')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(
    private readonly rpc: GatewayRpc,
    private readonly cache: ControlPlaneCache,
  ) {}

  /** Control-plane's answer for this caller, kept a while (ControlPlaneCache). */
  @Get()
  @ApiOkResponse({ type: MeDto })
  @ApiOperation({ summary: 'The signed-in user, their org, role and permissions' })
  me(@CurrentContext() ctx: RequestContext): MeDto | Promise<MeDto> {
    const pattern = Patterns.controlPlane.me;
    return this.cache.read(pattern, ctx, {}, () => this.rpc.forward<MeDto>(pattern, ctx));
  }
}
