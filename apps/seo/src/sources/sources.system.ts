import { Injectable } from '@nestjs/common';
import { type Sql, type SystemScope } from '@smartbeak/persistence';

/**
 * Sources across orgs, on purpose: control-plane's events pause and resume
 * them (the event names the org or domain; every write is scoped by it).
 */
@Injectable()
export class SourcesSystem {
  /** Pauses or resumes the sources of one domain, or of a whole org; the ids whose state changed. */
  async setPaused(
    tx: Sql,
    _scope: SystemScope,
    of: { orgId: string; domainId?: string },
    paused: boolean,
  ): Promise<string[]> {
    const rows = await tx.rows<{ id: string }>(
      `UPDATE seo_sources SET paused = $3, updated_at = now()
        WHERE org_id = $1 AND ($2::uuid IS NULL OR domain_id = $2) AND paused <> $3
        RETURNING id`,
      [of.orgId, of.domainId ?? null, paused],
    );
    return rows.map((row) => row.id);
  }
}
