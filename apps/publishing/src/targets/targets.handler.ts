import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  CreateTargetDto,
  ListTargetsQueryDto,
  type Page,
  Patterns,
  PublishingIdDto,
  type RequestContext,
  type TargetDto,
  type TargetTestResultDto,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';
import { IdempotentCommand } from '@smartbeak/runtime';

import { TargetsService } from './targets.service';

/** Destinations: thin, each pattern to the service. */
@Controller()
export class TargetsHandler {
  constructor(private readonly targets: TargetsService) {}

  @MessagePattern(Patterns.publishing.targetCreate)
  @IdempotentCommand()
  createTarget(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(CreateTargetDto) input: CreateTargetDto,
  ): Promise<TargetDto> {
    return this.targets.create(ctx, input);
  }

  @MessagePattern(Patterns.publishing.targetList)
  listTargets(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ListTargetsQueryDto) query: ListTargetsQueryDto,
  ): Promise<Page<TargetDto>> {
    return this.targets.list(ctx, query);
  }

  @MessagePattern(Patterns.publishing.targetTest)
  testTarget(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(PublishingIdDto) { id }: PublishingIdDto,
  ): Promise<TargetTestResultDto> {
    return this.targets.test(ctx, id);
  }
}
