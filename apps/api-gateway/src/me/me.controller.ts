import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentContext } from '@smartbeak/auth';
import { MeDto, Patterns, RequestContext } from '@smartbeak/contracts';

import { GatewayRpc } from '../rpc/gateway-rpc';

@ApiTags('control-plane')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(private readonly rpc: GatewayRpc) {}

  @Get()
  @ApiOkResponse({ type: MeDto })
  me(@CurrentContext() ctx: RequestContext): Promise<MeDto> {
    return this.rpc.forward(Patterns.controlPlane.me, ctx);
  }
}
