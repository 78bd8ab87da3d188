import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  CreateJobBatchDto,
  CreateJobDto,
  type JobBatchOutcome,
  type JobDto,
  ListJobsQueryDto,
  type Page,
  Patterns,
  PublishingIdDto,
  type RequestContext,
  ResolveTargetRequestDto,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';
import { IdempotentCommand } from '@smartbeak/runtime';

import { JobCreation } from './job-creation.service';
import { JobOperations } from './job-operations.service';

/** Publishing jobs: thin, each pattern to the service. */
@Controller()
export class JobsHandler {
  constructor(
    private readonly creation: JobCreation,
    private readonly operations: JobOperations,
  ) {}

  @MessagePattern(Patterns.publishing.jobCreate)
  @IdempotentCommand()
  createJob(@RpcCtx() ctx: RequestContext, @RpcPayload(CreateJobDto) input: CreateJobDto): Promise<JobDto> {
    return this.creation.create(ctx, input);
  }

  @MessagePattern(Patterns.publishing.jobCreateBatch)
  @IdempotentCommand()
  createBatch(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(CreateJobBatchDto) input: CreateJobBatchDto,
  ): Promise<JobBatchOutcome[]> {
    return this.creation.createBatch(ctx, input);
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
}
