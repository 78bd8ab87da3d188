import { Repository, type SystemScope } from '@smartbeak/persistence';

/** The audit log across every org, on purpose: retention. */
export class AuditSystem extends Repository {
  /** Deletes entries of `category` older than `days`; how many went. */
  prune(_scope: SystemScope, category: string, days: number): Promise<number> {
    return this.sql.run(
      `DELETE FROM audit_logs WHERE category = $1 AND created_at < now() - make_interval(days => $2)`,
      [category, days],
    );
  }
}
