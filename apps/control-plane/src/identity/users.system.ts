import { Repository, type SystemScope } from '@smartbeak/persistence';

/**
 * Users belong to no one org (a person may be in many): the Clerk mirror
 * writes them with a system scope, and the webhook inbox with them.
 */
export class UsersSystem extends Repository {
  /** False when this Svix message was applied before (recorded in the caller's transaction). */
  async firstDelivery(_scope: SystemScope, svixId: string, type: string): Promise<boolean> {
    const fresh = await this.sql.rows(
      `INSERT INTO clerk_webhook_events (svix_id, type) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING svix_id`,
      [svixId, type],
    );
    return fresh.length > 0;
  }

  /** Forgets webhook deliveries older than `days` (Svix stops retrying a message after ~3 days). */
  pruneDeliveries(_scope: SystemScope, days: number): Promise<number> {
    return this.sql.run(
      `DELETE FROM clerk_webhook_events WHERE received_at < now() - make_interval(days => $1)`,
      [days],
    );
  }

  /** Clerk's user, unless what is stored is newer (`clerkUpdatedAt`). */
  async upsert(
    _scope: SystemScope,
    user: { id: string; email: string | null; name: string | null; clerkUpdatedAt: number | null },
  ): Promise<void> {
    await this.sql.run(
      `INSERT INTO users (id, email, name, clerk_updated_at, deleted_at) VALUES ($1, $2, $3, $4, NULL)
       ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name,
         clerk_updated_at = EXCLUDED.clerk_updated_at, deleted_at = NULL, updated_at = now()
       WHERE users.clerk_updated_at IS NULL OR EXCLUDED.clerk_updated_at IS NULL OR users.clerk_updated_at <= EXCLUDED.clerk_updated_at`,
      [user.id, user.email, user.name, user.clerkUpdatedAt],
    );
  }

  /** Forgets the person (email and name) and ends every membership; the orgs they were in. */
  async delete(_scope: SystemScope, id: string): Promise<string[]> {
    const memberships = await this.sql.rows<{ orgId: string }>(
      `DELETE FROM memberships WHERE user_id = $1 RETURNING org_id AS "orgId"`,
      [id],
    );
    await this.sql.run(
      `UPDATE users SET deleted_at = now(), email = NULL, name = NULL, updated_at = now() WHERE id = $1`,
      [id],
    );
    return memberships.map((row) => row.orgId);
  }
}
