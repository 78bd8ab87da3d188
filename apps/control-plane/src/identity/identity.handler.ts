import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import { MeDto, Patterns, RequestContext } from '@smartbeak/contracts';

import { IdentityService } from './identity.service';

@Controller()
export class IdentityHandler {
  constructor(private readonly identity: IdentityService) {}

  @MessagePattern(Patterns.controlPlane.me)
  me(@RpcCtx() ctx: RequestContext): Promise<MeDto> {
    return this.identity.me(ctx);
  }
}
