import { Repository, type TenantScope } from '@smartbeak/persistence';

/** The Clerk mirror as one org sees it: the org row and its memberships. Users: users.system.ts. */
export class IdentityRepository extends Repository {
  /** The org, the user and the membership, created if new; nothing overwritten (webhooks own the details). */
  async ensureMember(
    scope: TenantScope,
    user: { id: string; role: string; orgSlug: string | null; email: string | null; name: string | null },
  ): Promise<void> {
    await this.sql.run(
      `WITH o AS (
         INSERT INTO orgs (id, slug) VALUES ($1, $4) ON CONFLICT (id) DO NOTHING
       ), u AS (
         INSERT INTO users (id, email, name) VALUES ($2, $5, $6) ON CONFLICT (id) DO NOTHING
       )
       INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT (org_id, user_id) DO NOTHING`,
      [scope.orgId, user.id, user.role, user.orgSlug, user.email, user.name],
    );
  }

  /** Clerk's org, unless what is stored is newer (`clerkUpdatedAt`). */
  async upsertOrg(
    scope: TenantScope,
    org: { name: string | null; slug: string | null; clerkUpdatedAt: number | null },
  ): Promise<void> {
    await this.sql.run(
      `INSERT INTO orgs (id, name, slug, clerk_updated_at, deleted_at) VALUES ($1, $2, $3, $4, NULL)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, slug = EXCLUDED.slug,
         clerk_updated_at = EXCLUDED.clerk_updated_at, deleted_at = NULL, updated_at = now()
       WHERE orgs.clerk_updated_at IS NULL OR EXCLUDED.clerk_updated_at IS NULL OR orgs.clerk_updated_at <= EXCLUDED.clerk_updated_at`,
      [scope.orgId, org.name, org.slug, org.clerkUpdatedAt],
    );
  }

  /** The org marked deleted and its memberships gone (its domains are suspended by the caller). */
  async deleteOrg(scope: TenantScope): Promise<void> {
    await this.sql.run(`UPDATE orgs SET deleted_at = now(), updated_at = now() WHERE id = $1`, [scope.orgId]);
    await this.sql.run(`DELETE FROM memberships WHERE org_id = $1`, [scope.orgId]);
  }

  /** A membership from Clerk (the org and user rows made if missing), unless what is stored is newer. */
  async upsertMembership(
    scope: TenantScope,
    org: { name: string | null; slug: string | null },
    user: { id: string; email: string | null; name: string | null },
    role: string,
    clerkUpdatedAt: number | null,
  ): Promise<void> {
    await this.sql.run(`INSERT INTO orgs (id, name, slug) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`, [
      scope.orgId,
      org.name,
      org.slug,
    ]);
    await this.sql.run(
      `INSERT INTO users (id, email, name) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
      [user.id, user.email, user.name],
    );
    await this.sql.run(
      `INSERT INTO memberships (org_id, user_id, role, clerk_updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id, user_id) DO UPDATE SET role = EXCLUDED.role, clerk_updated_at = EXCLUDED.clerk_updated_at, updated_at = now()
       WHERE memberships.clerk_updated_at IS NULL OR EXCLUDED.clerk_updated_at IS NULL OR memberships.clerk_updated_at <= EXCLUDED.clerk_updated_at`,
      [scope.orgId, user.id, role, clerkUpdatedAt],
    );
  }

  async deleteMembership(scope: TenantScope, userId: string): Promise<void> {
    await this.sql.run(`DELETE FROM memberships WHERE org_id = $1 AND user_id = $2`, [scope.orgId, userId]);
  }
}
