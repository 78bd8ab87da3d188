import { Injectable } from '@nestjs/common';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import {
  type ContentItemDto,
  ContentError,
  type CreateJobBatchDto,
  type CreateJobDto,
  type JobBatchOutcome,
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
import { type TargetRow, TargetsRepository } from '../targets/targets.repository';
import { type JobRow, toJobDto } from './job-rows';
import { JobsRepository, type NewJobRow } from './jobs.repository';

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
    const [made] = await this.make(ctx, [input]);
    if (made instanceof DomainError) throw made;
    return made!;
  }

  /**
   * Up to 100 jobs with the rules of `create`, item by item: one content
   * lookup, one targets query, one statement writing every valid item and
   * one round trip to the queue. A refused item is answered with its error
   * and written nowhere; the others are made.
   */
  async createBatch(ctx: RequestContext, input: CreateJobBatchDto): Promise<JobBatchOutcome[]> {
    const made = await this.make(ctx, input.jobs);
    return made.map((outcome, index) =>
      outcome instanceof DomainError ? { index, error: outcome.toJSON() } : { index, job: outcome },
    );
  }

  private async make(ctx: RequestContext, inputs: CreateJobDto[]): Promise<(JobDto | DomainError)[]> {
    requirePermissions(ctx, 'content:publish');
    const scope = scopeOf(ctx);
    const [contents, targets] = await Promise.all([
      this.contents(scope, unique(inputs.map((input) => input.contentId))),
      this.targets.findMany(scope, unique(inputs.flatMap((input) => input.targetIds))),
    ]);
    const lookups: Lookups = { contents, targets: new Map(targets.map((t) => [t.id, t])), images: new Map() };
    const checked = await Promise.all(
      inputs.map((input) =>
        this.check(ctx, input, lookups).catch((error: unknown) => {
          if (error instanceof DomainError) return error;
          throw error;
        }),
      ),
    );
    const valid = checked.filter((item): item is NewJob => !(item instanceof DomainError));
    const made = await this.jobs.insertMany(scope, valid.map(toNewRow));
    await this.queue.enqueueMany(made.map(({ job }) => job));
    let next = 0;
    return checked.map((item) => {
      if (item instanceof DomainError) return item;
      const { job, targets: rows } = made[next++]!;
      return toJobDto(job, rows);
    });
  }

  /** One item against the rules, in the order a single create checks them; throws its DomainError. */
  private async check(ctx: RequestContext, input: CreateJobDto, lookups: Lookups): Promise<NewJob> {
    const content = lookups.contents.get(input.contentId);
    if (!content) throw new DomainError(ContentError.ITEM_NOT_FOUND, 'Content item not found');
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
    let featuredImage: PublishableContent['featuredImage'] = null;
    if (input.featuredMediaId) {
      const key = `${content.domainId}/${input.featuredMediaId}`;
      let image = lookups.images.get(key);
      if (!image) {
        image = this.featuredImage(scopeOf(ctx), content.domainId, input.featuredMediaId);
        lookups.images.set(key, image);
      }
      featuredImage = await image;
    }
    const missing = input.targetIds.filter((id) => !lookups.targets.has(id));
    if (missing.length) {
      throw new DomainError(
        PublishingError.TARGET_NOT_FOUND,
        `Publishing target not found: ${missing.join(', ')}`,
        [{ field: 'targetIds', message: `unknown: ${missing.join(', ')}` }],
      );
    }
    const elsewhere = input.targetIds
      .map((id) => lookups.targets.get(id)!)
      .filter((target) => target.domainId !== content.domainId);
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
    return {
      actor: ctx.userId,
      content,
      hostname: domain.hostname,
      targetIds: input.targetIds,
      scheduledFor,
      featuredImage,
    };
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
    const { job } = await this.jobs
      .in(tx)
      .insert(scope, toNewRow({ actor: 'system', content, hostname, targetIds, scheduledFor: null }));
    // Queued inside the inbox transaction: if it rolls back, the worker finds no such job and stops.
    await this.queue.enqueue(job);
    return job;
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

  /** The org's items among `ids`, by id, in one call to content. */
  private async contents(scope: OrgScope, ids: string[]): Promise<Map<string, ContentItemDto>> {
    const items = await this.rpc.send<ContentItemDto[]>(Patterns.content.getMany, {
      ctx: serviceCallContext(scope.orgId),
      payload: { ids },
    });
    return new Map(items.map((item) => [item.id, item]));
  }

  /** The content item, as content answers it for this org. */
  private content(scope: OrgScope, contentId: string): Promise<ContentItemDto> {
    return this.rpc.send<ContentItemDto>(Patterns.content.get, {
      ctx: serviceCallContext(scope.orgId),
      payload: { id: contentId },
    });
  }
}

interface Lookups {
  contents: Map<string, ContentItemDto>;
  targets: Map<string, TargetRow>;
  /** Featured images asked for so far, by domain and media id (one call each). */
  images: Map<string, Promise<NonNullable<PublishableContent['featuredImage']>>>;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** What the jobs table gets for a checked item. */
function toNewRow(input: NewJob): NewJobRow {
  return {
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
  };
}
