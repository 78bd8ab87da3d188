import { Injectable } from '@nestjs/common';
import { MeDto, type RecipientDto, type RecipientsQueryDto, RequestContext } from '@smartbeak/contracts';
import { scopeOf } from '@smartbeak/persistence';

import { IdentityRepository } from './identity.repository';

const SEEN_CAPACITY = 50_000;

/**
 * Just-in-time mirror of what a valid token tells us: an org or user seen
 * for the first time is created on the spot, so a new Clerk org can work at
 * once; Clerk webhooks later fill in names and emails. Pairs already seen by
 * this replica are remembered, so the hot path costs no query.
 */
@Injectable()
export class IdentityService {
  private readonly seen = new Set<string>();

  constructor(private readonly identities: IdentityRepository) {}

  async ensure(ctx: RequestContext): Promise<void> {
    // A change of permissions is worth a write: notifications picks reviewers and admins by them.
    const key = `${ctx.orgId}\u0000${ctx.userId}\u0000${ctx.permissions.join(',')}`;
    if (this.seen.has(key)) return;
    const role = ctx.permissions.includes('org:admin') ? 'org:admin' : 'org:member';
    // One round trip, three upserts: nothing is overwritten, webhooks own the details.
    await this.identities.ensureMember(scopeOf(ctx), {
      id: ctx.userId,
      role,
      permissions: ctx.permissions,
      orgSlug: ctx.orgSlug ?? null,
      email: ctx.email ?? null,
      name: ctx.name ?? null,
    });
    if (this.seen.size >= SEEN_CAPACITY) this.seen.clear();
    this.seen.add(key);
  }

  /** The org's members a notification may go to (a service call from notifications). */
  recipients(ctx: RequestContext, query: RecipientsQueryDto): Promise<RecipientDto[]> {
    return this.identities.recipients(scopeOf(ctx), query);
  }

  /** Drops remembered pairs of an org or user that Clerk deleted. */
  forget(predicate: (orgId: string, userId: string) => boolean): void {
    for (const key of this.seen) {
      const [orgId, userId] = key.split('\u0000');
      if (predicate(orgId, userId)) this.seen.delete(key);
    }
  }

  async me(ctx: RequestContext): Promise<MeDto> {
    await this.ensure(ctx);
    return {
      userId: ctx.userId,
      orgId: ctx.orgId,
      domainId: ctx.domainId,
      permissions: ctx.permissions,
      email: ctx.email ?? null,
      name: ctx.name ?? null,
    };
  }
}
