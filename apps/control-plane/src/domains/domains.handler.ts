import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  CreateDomainDto,
  DomainCheckResult,
  DomainDto,
  DomainIdDto,
  ListDomainsQueryDto,
  Page,
  Patterns,
  RequestContext,
  SetDomainStatusDto,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';
import { IdempotentCommand } from '@smartbeak/runtime';

import { DomainsService } from './domains.service';

@Controller()
export class DomainsHandler {
  constructor(private readonly domains: DomainsService) {}

  @MessagePattern(Patterns.controlPlane.domainCreate)
  @IdempotentCommand()
  create(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(CreateDomainDto) input: CreateDomainDto,
  ): Promise<DomainDto> {
    return this.domains.create(ctx, input);
  }

  @MessagePattern(Patterns.controlPlane.domainList)
  list(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ListDomainsQueryDto) query: ListDomainsQueryDto,
  ): Promise<Page<DomainDto>> {
    return this.domains.list(ctx, query);
  }

  @MessagePattern(Patterns.controlPlane.domainGet)
  get(@RpcCtx() ctx: RequestContext, @RpcPayload(DomainIdDto) { id }: DomainIdDto): Promise<DomainDto> {
    return this.domains.get(ctx, id);
  }

  @MessagePattern(Patterns.controlPlane.domainSetStatus)
  setStatus(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(SetDomainStatusDto) { id, status }: SetDomainStatusDto,
  ): Promise<DomainDto> {
    return this.domains.setStatus(ctx, id, status);
  }

  @MessagePattern(Patterns.controlPlane.domainCheck)
  check(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(DomainIdDto) { id }: DomainIdDto,
  ): Promise<DomainCheckResult> {
    return this.domains.check(ctx, id);
  }
}
