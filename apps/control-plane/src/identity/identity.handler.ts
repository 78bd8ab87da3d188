import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import { MeDto, Patterns, type RecipientDto, RecipientsQueryDto, RequestContext } from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';

import { IdentityService } from './identity.service';

@Controller()
export class IdentityHandler {
  constructor(private readonly identity: IdentityService) {}

  @MessagePattern(Patterns.controlPlane.me)
  me(@RpcCtx() ctx: RequestContext): Promise<MeDto> {
    return this.identity.me(ctx);
  }

  @MessagePattern(Patterns.controlPlane.memberRecipients)
  recipients(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(RecipientsQueryDto) query: RecipientsQueryDto,
  ): Promise<RecipientDto[]> {
    return this.identity.recipients(ctx, query);
  }
}
