import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiProduces,
  ApiResponse,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import { CurrentContext, RequirePermissions } from '@smartbeak/auth';
import {
  ApiPageOf,
  CommonError,
  CreateJobBatchDto,
  CreateJobDto,
  CreateTargetDto,
  DeadLetterDto,
  JobBatchDto,
  type JobBatchOutcome,
  JobDto,
  ListJobsQueryDto,
  ListTargetsQueryDto,
  type Page,
  PageQueryDto,
  Patterns,
  type RequestContext,
  ResolveTargetDto,
  TargetDto,
  TargetTestResultDto,
} from '@smartbeak/contracts';
import { type JsonText } from '@smartbeak/messaging';

import type { FastifyReply } from 'fastify';

import { Idempotent } from '../idempotency/idempotency.interceptor';
import { domainProblem } from '../problem/problem';
import { LiveStreams } from '../live/live-streams';
import { headersOf, writeEventStreamHead } from '../http/fastify-http';
import { GatewayRpc } from '../rpc/gateway-rpc';

/** docs/api.md § Publishing. Secrets go in, never out. */
@ApiTags('publishing')
@ApiBearerAuth()
@Controller('publishing')
export class PublishingController {
  constructor(
    private readonly rpc: GatewayRpc,
    private readonly live: LiveStreams,
  ) {}

  @Post('targets')
  @HttpCode(201)
  @Idempotent()
  @RequirePermissions('publishing:write')
  @ApiOkResponse({ type: TargetDto })
  @ApiOperation({ summary: 'Add a publishing target (WordPress, LinkedIn, email list)' })
  createTarget(@CurrentContext() ctx: RequestContext, @Body() body: CreateTargetDto): Promise<TargetDto> {
    return this.rpc.forward(Patterns.publishing.targetCreate, ctx, body);
  }

  @Get('targets')
  @RequirePermissions('publishing:write')
  @ApiPageOf(TargetDto)
  @ApiOperation({ summary: "The domain's publishing targets" })
  listTargets(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListTargetsQueryDto,
  ): Promise<JsonText<Page<TargetDto>>> {
    return this.rpc.forwardText(Patterns.publishing.targetList, ctx, query);
  }

  @Post('targets/:id/test')
  @HttpCode(200)
  @RequirePermissions('publishing:write')
  @ApiOkResponse({ type: TargetTestResultDto })
  @ApiOperation({ summary: "Check a target's credentials against its platform" })
  testTarget(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<TargetTestResultDto> {
    return this.rpc.forward(Patterns.publishing.targetTest, ctx, { id });
  }

  @Post('jobs')
  @HttpCode(202)
  @Idempotent()
  @RequirePermissions('content:publish')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key and body within 24 h returns the first job',
  })
  @ApiAcceptedResponse({ type: JobDto })
  @ApiOperation({ summary: 'Publish an item to targets now or at a time' })
  createJob(@CurrentContext() ctx: RequestContext, @Body() body: CreateJobDto): Promise<JobDto> {
    return this.rpc.forward(Patterns.publishing.jobCreate, ctx, body);
  }

  /**
   * Up to 100 jobs in one request, each with the rules of POST /jobs. 207
   * Multi-Status with an item per job, in request order: `status` 202 and
   * the job, or the status and problem a single create would have answered.
   * Valid items are made together even when others are refused.
   */
  @Post('jobs/batch')
  @HttpCode(207)
  @Idempotent()
  @RequirePermissions('content:publish')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key and body within 24 h returns the first answer',
  })
  @ApiResponse({ status: 207, type: JobBatchDto })
  @ApiOperation({ summary: 'Create up to 100 jobs at once; 207 with one result per job' })
  async createJobs(
    @CurrentContext() ctx: RequestContext,
    @Body() body: CreateJobBatchDto,
  ): Promise<JobBatchDto> {
    const outcomes = await this.rpc.forward<JobBatchOutcome[]>(Patterns.publishing.jobCreateBatch, ctx, body);
    const items = outcomes.map(({ index, job, error }) => {
      if (job) return { index, status: 202, job };
      // The problem a single create would have answered for this item.
      const itemProblem = domainProblem(
        error ?? { code: CommonError.INTERNAL, message: 'The item could not be made' },
      );
      return { index, status: itemProblem.status, problem: itemProblem };
    });
    const accepted = items.filter((item) => item.status === 202).length;
    return { accepted, rejected: items.length - accepted, items };
  }

  @Get('jobs')
  @RequirePermissions('content:read')
  @ApiPageOf(JobDto)
  @ApiOperation({ summary: 'Publishing jobs, newest first, paged' })
  listJobs(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListJobsQueryDto,
  ): Promise<JsonText<Page<JobDto>>> {
    return this.rpc.forwardText(Patterns.publishing.jobList, ctx, query);
  }

  /**
   * Server-Sent Events: a job of the caller's org as it changes (`event:
   * job`, its JobDto), from publishing's relay signals. The job is read with
   * the caller's own context, so tenancy and domain rules hold. Signals are
   * fire-and-forget: after a reconnect, list the jobs again. A comment line
   * every 15 s keeps proxies from closing it.
   */
  @Get('jobs/stream')
  @RequirePermissions('content:read')
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'Live job changes (server-sent events)' })
  async jobStream(@CurrentContext() ctx: RequestContext, @Res() reply: FastifyReply): Promise<void> {
    reply.hijack();
    const raw = reply.raw;
    let closed = false;
    const send = async (jobId: string): Promise<void> => {
      try {
        const job = await this.rpc.forward<JobDto>(Patterns.publishing.jobGet, ctx, { id: jobId });
        if (!closed) raw.write(`id: ${job.id}\nevent: job\ndata: ${JSON.stringify(job)}\n\n`);
      } catch {
        // Not this member's to see (another domain), or gone: nothing to say.
      }
    };
    // Subscribed before the answer starts: a client that acts as soon as the stream is open misses nothing.
    let stop: () => void;
    try {
      stop = await this.live.listenToJobs(ctx.orgId, (jobId) => void send(jobId));
    } catch {
      // Redis refused the subscription: say so (the console falls back to polling).
      raw.writeHead(503, { ...headersOf(reply), 'content-type': 'application/problem+json' }).end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          detail: 'Live job updates are unavailable right now',
        }),
      );
      return;
    }
    if (raw.destroyed) {
      stop();
      return;
    }
    writeEventStreamHead(reply);
    raw.write('retry: 3000\n\n');
    const heartbeat = setInterval(() => raw.write(': ping\n\n'), 15_000);
    raw.on('close', () => {
      closed = true;
      clearInterval(heartbeat);
      stop();
    });
  }

  @Get('jobs/:id')
  @RequirePermissions('content:read')
  @ApiOkResponse({ type: JobDto })
  @ApiOperation({ summary: "One job with each target's outcome" })
  getJob(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<JsonText<JobDto>> {
    return this.rpc.forwardText(Patterns.publishing.jobGet, ctx, { id });
  }

  @Post('jobs/:id/retry')
  @HttpCode(202)
  @RequirePermissions('content:publish')
  @ApiAcceptedResponse({ type: JobDto, description: 'Only the failed targets run again' })
  @ApiOperation({ summary: "Retry a failed job's failed targets" })
  retry(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<JobDto> {
    return this.rpc.forward(Patterns.publishing.jobRetry, ctx, { id });
  }

  @Post('jobs/:id/targets/:targetId/resolve')
  @HttpCode(200)
  @RequirePermissions('content:publish')
  @ApiOkResponse({ type: JobDto })
  @ApiOperation({ summary: 'Settle a target whose outcome is unknown (published or not)' })
  resolve(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
    @Param('targetId') targetId: string,
    @Body() body: ResolveTargetDto,
  ): Promise<JobDto> {
    return this.rpc.forward(Patterns.publishing.jobResolveTarget, ctx, { ...body, id, targetId });
  }

  @Get('dead-letters')
  @RequirePermissions('publishing:write')
  @ApiPageOf(DeadLetterDto)
  @ApiOperation({ summary: 'Jobs that ran out of attempts' })
  deadLetters(
    @CurrentContext() ctx: RequestContext,
    @Query() query: PageQueryDto,
  ): Promise<JsonText<Page<DeadLetterDto>>> {
    return this.rpc.forwardText(Patterns.publishing.deadLetterList, ctx, query);
  }

  @Post('dead-letters/:id/redrive')
  @HttpCode(202)
  @RequirePermissions('publishing:write')
  @ApiAcceptedResponse({ type: JobDto })
  @ApiOperation({ summary: 'Run a dead-lettered job again' })
  redrive(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<JobDto> {
    return this.rpc.forward(Patterns.publishing.deadLetterRedrive, ctx, { id });
  }
}
