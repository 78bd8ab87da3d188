import { orgFilter, Repository, type TenantScope } from '@smartbeak/persistence';

import { type LockRow } from '../items/item-rows';

/** Edit leases on content items, within one org. */
export class EditLocksRepository extends Repository {
  /**
   * Takes or renews the lease for `holder`: succeeds when nobody else holds a
   * live one. Undefined when someone else does.
   */
  take(scope: TenantScope, itemId: string, holder: string, ttlSeconds: number): Promise<LockRow | undefined> {
    return this.sql.one<LockRow>(
      `INSERT INTO content_locks (item_id, org_id, holder, acquired_at, expires_at)
       VALUES ($1, $2, $3, now(), now() + make_interval(secs => $4))
       ON CONFLICT (item_id) DO UPDATE SET
         holder = EXCLUDED.holder,
         expires_at = EXCLUDED.expires_at,
         acquired_at = CASE WHEN content_locks.holder = EXCLUDED.holder AND content_locks.expires_at > now()
                            THEN content_locks.acquired_at ELSE EXCLUDED.acquired_at END
       WHERE content_locks.org_id = EXCLUDED.org_id
         AND (content_locks.holder = EXCLUDED.holder OR content_locks.expires_at <= now())
       RETURNING holder, expires_at AS "expiresAt"`,
      [itemId, scope.orgId, holder, ttlSeconds],
    );
  }

  /** The live lease on the item, if any; `forUpdate` holds it until the transaction ends. */
  live(scope: TenantScope, itemId: string, forUpdate = false): Promise<LockRow | undefined> {
    return this.sql.one<LockRow>(
      `SELECT holder, expires_at AS "expiresAt" FROM content_locks
        WHERE item_id = $1 AND ${orgFilter('org_id', '$2')} AND expires_at > now() ${forUpdate ? 'FOR UPDATE' : ''}`,
      [itemId, scope.orgId],
    );
  }

  async remove(scope: TenantScope, itemId: string): Promise<void> {
    await this.sql.run(`DELETE FROM content_locks WHERE item_id = $1 AND ${orgFilter('org_id', '$2')}`, [
      itemId,
      scope.orgId,
    ]);
  }
}
