import { Inject, Injectable } from '@nestjs/common';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import { ContentError, type ContentLockDto, Events, type RequestContext } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { appendToOutbox } from '@smartbeak/messaging';
import { Database, scopeOf } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';

import { ContentConfig } from '../config/content.config';
import { ContentRepository } from '../items/content.repository';
import { itemNotFound, lockedBy } from '../items/content.errors';
import { EditLocksRepository } from './edit-locks.repository';

/** Edit leases: one editor at a time, renewed while they type, broken by an admin (audited). */
@Injectable()
export class EditLocksService {
  constructor(
    private readonly db: Database,
    private readonly items: ContentRepository,
    private readonly locks: EditLocksRepository,
    @Inject(SERVICE_CONFIG) private readonly config: ContentConfig,
    private readonly domains: DomainAccess,
  ) {}

  async acquire(ctx: RequestContext, id: string, ttlSeconds?: number): Promise<ContentLockDto> {
    requirePermissions(ctx, 'content:write');
    const scope = scopeOf(ctx);
    const row = await this.items.find(scope, id);
    if (!row) throw itemNotFound();
    await this.domains.resolve(ctx, row.domainId); // a suspended domain's content is read-only
    const ttl = ttlSeconds ?? this.config.CONTENT_LOCK_TTL_SECONDS;
    for (;;) {
      const taken = await this.locks.take(scope, row.id, ctx.userId, ttl);
      if (taken) return { lockedBy: taken.holder, expiresAt: taken.expiresAt.toISOString() };
      const held = await this.locks.live(scope, row.id);
      if (held) throw lockedBy(held);
      // It expired in between: try again.
    }
  }

  /** Releases the caller's own lease; `org:admin` may break another user's, which is audited. */
  async release(ctx: RequestContext, id: string): Promise<void> {
    requirePermissions(ctx, 'content:write');
    const scope = scopeOf(ctx);
    const row = await this.items.find(scope, id);
    if (!row) throw itemNotFound();
    await this.db.transaction(async (tx) => {
      const locks = this.locks.in(tx);
      const lock = await locks.live(scope, row.id, true);
      if (lock && lock.holder !== ctx.userId) {
        if (!ctx.permissions.includes('org:admin')) {
          throw new DomainError(
            ContentError.NOT_LOCK_HOLDER,
            `The lock is held by ${lock.holder} until ${lock.expiresAt.toISOString()}; only they or an admin can release it`,
            undefined,
            { lockedBy: lock.holder, expiresAt: lock.expiresAt.toISOString() },
          );
        }
        await appendToOutbox(tx, [
          {
            type: Events.content.lockRevoked,
            aggregateId: row.id,
            orgId: ctx.orgId,
            domainId: row.domainId,
            payload: {
              actor: ctx.userId,
              holder: lock.holder,
              expiresAt: lock.expiresAt.toISOString(),
              title: row.title,
            },
          },
        ]);
      }
      await locks.remove(scope, row.id);
    });
  }
}
