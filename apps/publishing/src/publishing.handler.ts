import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  CreateJobDto,
  CreateTargetDto,
  type DeadLetterDto,
  type JobDto,
  ListJobsQueryDto,
  ListTargetsQueryDto,
  type Page,
  PageQueryDto,
  Patterns,
  PublishingIdDto,
  type RequestContext,
  ResolveTargetRequestDto,
  type TargetDto,
  type TargetTestResultDto,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';

import { DeadLettersService } from './dead-letters/dead-letters.service';
import { JobCreation } from './jobs/job-creation.service';
import { JobOperations } from './jobs/job-operations.service';
import { TargetsService } from './targets/targets.service';

@Controller()
export class PublishingHandler {
  constructor(
    private readonly targets: TargetsService,
    private readonly creation: JobCreation,
    private readonly operations: JobOperations,
    private readonly letters: DeadLettersService,
  ) {}

  @MessagePattern(Patterns.publishing.targetCreate)
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

  @MessagePattern(Patterns.publishing.jobCreate)
  createJob(@RpcCtx() ctx: RequestContext, @RpcPayload(CreateJobDto) input: CreateJobDto): Promise<JobDto> {
    return this.creation.create(ctx, input);
  }

  @MessagePattern(Patterns.publishing.jobGet)
  getJob(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(PublishingIdDto) { id }: PublishingIdDto,
  ): Promise<JobDto> {
    return this.operations.get(ctx, id);
  }

  @MessagePattern(Patterns.publishing.jobList)
  listJobs(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ListJobsQueryDto) query: ListJobsQueryDto,
  ): Promise<Page<JobDto>> {
    return this.operations.list(ctx, query);
  }

  @MessagePattern(Patterns.publishing.jobRetry)
  retry(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(PublishingIdDto) { id }: PublishingIdDto,
  ): Promise<JobDto> {
    return this.operations.retry(ctx, id);
  }

  @MessagePattern(Patterns.publishing.jobResolveTarget)
  resolve(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ResolveTargetRequestDto) input: ResolveTargetRequestDto,
  ): Promise<JobDto> {
    return this.operations.resolveTarget(ctx, input);
  }

  @MessagePattern(Patterns.publishing.deadLetterList)
  deadLetters(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(PageQueryDto) query: PageQueryDto,
  ): Promise<Page<DeadLetterDto>> {
    return this.letters.list(ctx, query);
  }

  @MessagePattern(Patterns.publishing.deadLetterRedrive)
  redrive(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(PublishingIdDto) { id }: PublishingIdDto,
  ): Promise<JobDto> {
    return this.letters.redrive(ctx, id);
  }
}
