import { Repository, type SystemScope } from '@smartbeak/persistence';

/** Destinations across every org, on purpose: re-sealing credentials under a new key. */
export class TargetsSystem extends Repository {
  sealedSecrets(_scope: SystemScope): Promise<{ id: string; orgId: string; secret: string }[]> {
    return this.sql.rows(`SELECT id, org_id AS "orgId", secret FROM publishing_targets`);
  }

  /** Replaces one sealed secret, unless it changed since it was read. */
  async reseal(_scope: SystemScope, id: string, from: string, to: string): Promise<boolean> {
    return (
      (await this.sql.run(
        `UPDATE publishing_targets SET secret = $2, updated_at = now() WHERE id = $1 AND secret = $3`,
        [id, to, from],
      )) === 1
    );
  }
}
