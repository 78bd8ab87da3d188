import { Injectable } from '@nestjs/common';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import {
  type ContentItemDto,
  type CreateJobDto,
  type JobDto,
  type MediaAssetDto,
  Patterns,
  PublishingError,
  type RequestContext,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { RpcClient, serviceCallContext } from '@smartbeak/messaging';
import { type OrgScope, scopeOf, type Sql } from '@smartbeak/persistence';

import { type PublishableContent } from '../adapters/adapter';
import { JobQueue } from '../queues/job-queue';
import { TargetsRepository } from '../targets/targets.repository';
import { type JobRow, type JobTargetRow, toJobDto } from './job-rows';
import { JobsRepository } from './jobs.repository';

const PUBLISHABLE = new Set(['review', 'scheduled', 'published']);

export interface NewJob {
  actor: string;
  content: ContentItemDto;
  hostname: string;
  targetIds: string[];
  scheduledFor: Date | null;
  featuredImage?: PublishableContent['featuredImage'];
}

/** Making jobs: a user's request, or content's scheduled publish for the auto-publish targets. */
@Injectable()
export class JobCreation {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly targets: TargetsRepository,
    private readonly queue: JobQueue,
    private readonly domains: DomainAccess,
    private readonly rpc: RpcClient,
  ) {}

  async create(ctx: RequestContext, input: CreateJobDto): Promise<JobDto> {
    requirePermissions(ctx, 'content:publish');
    const scope = scopeOf(ctx);
    const content = await this.content(scope, input.contentId);
    if (!PUBLISHABLE.has(content.status)) {
      throw new DomainError(
        PublishingError.CONTENT_NOT_PUBLISHABLE,
        `Content in ${content.status} cannot be published; it must be in review, scheduled or published`,
        [{ field: 'contentId', message: `the item is ${content.status}` }],
      );
    }
    let scheduledFor: Date | null = null;
    if (input.scheduledFor) {
      scheduledFor = new Date(input.scheduledFor);
      if (scheduledFor.getTime() <= Date.now()) {
        throw DomainError.validation([
          { field: 'scheduledFor', message: 'scheduledFor must be in the future' },
        ]);
      }
    }
    const domain = await this.domains.resolve(ctx, content.domainId);
    const featuredImage = input.featuredMediaId
      ? await this.featuredImage(scope, content.domainId, input.featuredMediaId)
      : null;
    const found = await this.targets.findMany(scope, input.targetIds);
    const missing = input.targetIds.filter((id) => !found.some((target) => target.id === id));
    if (missing.length) {
      throw new DomainError(
        PublishingError.TARGET_NOT_FOUND,
        `Publishing target not found: ${missing.join(', ')}`,
        [{ field: 'targetIds', message: `unknown: ${missing.join(', ')}` }],
      );
    }
    const elsewhere = found.filter((target) => target.domainId !== content.domainId);
    if (elsewhere.length) {
      throw new DomainError(
        PublishingError.CONTENT_NOT_PUBLISHABLE,
        "Every target must belong to the content's domain",
        elsewhere.map((target) => ({
          field: 'targetIds',
          message: `${target.id} belongs to another domain`,
        })),
      );
    }
    const { job, targets } = await this.insert(this.jobs, scope, {
      actor: ctx.userId,
      content,
      hostname: domain.hostname,
      targetIds: input.targetIds,
      scheduledFor,
      featuredImage,
    });
    await this.queue.enqueue(job);
    return toJobDto(job, targets);
  }

  /**
   * When a scheduled item is published by content, a job for the domain's
   * auto-publish targets, written in the caller's transaction `tx` (the
   * event consumer's inbox). Undefined when the domain has none.
   */
  async createForScheduledPublish(
    tx: Sql,
    scope: OrgScope,
    domainId: string,
    contentId: string,
  ): Promise<JobRow | undefined> {
    const targetIds = await this.targets.in(tx).autoPublishing(scope, domainId);
    if (!targetIds.length) return undefined;
    const content = await this.content(scope, contentId);
    const hostname = (await this.domains.resolve(serviceCallContext(scope.orgId), domainId)).hostname;
    const { job } = await this.insert(this.jobs.in(tx), scope, {
      actor: 'system',
      content,
      hostname,
      targetIds,
      scheduledFor: null,
    });
    // Queued inside the inbox transaction: if it rolls back, the worker finds no such job and stops.
    await this.queue.enqueue(job);
    return job;
  }

  private insert(
    jobs: JobsRepository,
    scope: OrgScope,
    input: NewJob,
  ): Promise<{ job: JobRow; targets: JobTargetRow[] }> {
    return jobs.insert(scope, {
      domainId: input.content.domainId,
      contentId: input.content.id,
      actor: input.actor,
      targetIds: input.targetIds,
      scheduledFor: input.scheduledFor,
      // The job carries what it publishes: later edits make a new job, not a different post.
      snapshot: {
        id: input.content.id,
        version: input.content.version,
        title: input.content.title,
        slug: input.content.slug,
        body: input.content.body,
        excerpt: input.content.excerpt,
        tags: input.content.tags,
        url: `https://${input.hostname}/${input.content.slug}`,
        featuredImage: input.featuredImage ?? null,
      },
    });
  }

  /** A ready image of the org's media library, in the content's domain. */
  private async featuredImage(
    scope: OrgScope,
    domainId: string,
    mediaId: string,
  ): Promise<NonNullable<PublishableContent['featuredImage']>> {
    const asset = await this.rpc.send<MediaAssetDto>(Patterns.media.assetGet, {
      ctx: serviceCallContext(scope.orgId),
      payload: { id: mediaId },
    });
    if (
      asset.domainId !== domainId ||
      asset.status !== 'ready' ||
      !asset.cdnUrl ||
      !asset.contentType.startsWith('image/')
    ) {
      throw new DomainError(
        PublishingError.CONTENT_NOT_PUBLISHABLE,
        'The featured image must be a ready image of the same domain',
        [{ field: 'featuredMediaId', message: `the asset is ${asset.status} ${asset.contentType}` }],
      );
    }
    return { url: asset.cdnUrl, filename: asset.filename, contentType: asset.contentType };
  }

  /** The content item, as content answers it for this org. */
  private content(scope: OrgScope, contentId: string): Promise<ContentItemDto> {
    return this.rpc.send<ContentItemDto>(Patterns.content.get, {
      ctx: serviceCallContext(scope.orgId),
      payload: { id: contentId },
    });
  }
}
