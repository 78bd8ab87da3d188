import { Inject, Injectable, Logger } from '@nestjs/common';
import { Events } from '@smartbeak/contracts';
import { Database, orgScope, systemScope } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';

import { ContentConfig } from '../config/content.config';
import { ContentSystem } from '../items/content.system';
import { type Decision, ContentWriter, NothingToDo } from '../items/content-writer';
import { type ItemState } from '../items/projection';
import { SYSTEM_ACTOR } from '../scheduling/scheduling.service';

const RETENTION = systemScope('content retention');

/**
 * Retention (docs/architecture.md § Data rules): idle drafts → archived;
 * archived long ago → cold; soft-deleted long ago → purged with their
 * events, revisions and lock (a `content.item.purged` event remains in the
 * outbox for consumers). Safe on several replicas.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    private readonly db: Database,
    private readonly writer: ContentWriter,
    private readonly system: ContentSystem,
    @Inject(SERVICE_CONFIG) private readonly config: ContentConfig,
  ) {}

  async apply(batch = 200): Promise<{ archived: number; cold: number; purged: number }> {
    const archived = await this.sweep(
      await this.system.idle(RETENTION, 'draft', this.config.CONTENT_DRAFT_IDLE_DAYS, batch),
      this.config.CONTENT_DRAFT_IDLE_DAYS,
      () => ({
        type: Events.content.archived,
        changes: { status: 'archived' },
        extra: { from: 'draft', to: 'archived', reason: 'retention: draft idle' },
      }),
    );
    const cold = await this.sweep(
      await this.system.idle(RETENTION, 'archived', this.config.CONTENT_COLD_AFTER_DAYS, batch, true),
      this.config.CONTENT_COLD_AFTER_DAYS,
      () => ({
        type: Events.content.coldStored,
        changes: { coldAt: new Date().toISOString() },
        extra: { reason: 'retention: archived over the cold threshold' },
      }),
    );
    const purged = await this.db.transaction((tx) =>
      this.system.in(tx).purgeDeleted(RETENTION, this.config.CONTENT_PURGE_AFTER_DAYS, batch),
    );
    await this.system.pruneLocks(RETENTION);
    if (archived || cold || purged)
      this.logger.log(`retention: ${archived} archived, ${cold} cold, ${purged} purged`);
    return { archived, cold, purged };
  }

  private async sweep(
    candidates: { id: string; orgId: string }[],
    days: number,
    decide: (state: ItemState) => Decision,
  ): Promise<number> {
    let done = 0;
    for (const row of candidates) {
      const applied = await this.writer.changeIfNeeded(
        { scope: orgScope(row.orgId), actor: SYSTEM_ACTOR },
        row.id,
        (state) => {
          // Re-checked under the row lock: a user may have touched it since the select.
          if (Date.parse(state.updatedAt) > Date.now() - days * 86_400_000) throw new NothingToDo();
          return decide(state);
        },
      );
      if (applied) done++;
    }
    return done;
  }
}
