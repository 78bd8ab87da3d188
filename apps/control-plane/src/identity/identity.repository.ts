import { type RecipientDto } from '@smartbeak/contracts';
import { Repository, type TenantScope } from '@smartbeak/persistence';

/** The Clerk mirror as one org sees it: the org row and its memberships. Users: users.system.ts. */
export class IdentityRepository extends Repository {
  /**
   * The org, the user and the membership, created if new. Webhooks own names
   * and roles, so those are not overwritten; the token is the only source of
   * a member's permissions, so those are kept as the latest token says, and an
   * email is filled in where none is known yet.
   */
  async ensureMember(
    scope: TenantScope,
    user: {
      id: string;
      role: string;
      permissions: readonly string[];
      orgSlug: string | null;
      email: string | null;
      name: string | null;
    },
  ): Promise<void> {
    await this.sql.run(
      `WITH o AS (
         INSERT INTO orgs (id, slug) VALUES ($1, $4) ON CONFLICT (id) DO NOTHING
       ), u AS (
         INSERT INTO users (id, email, name) VALUES ($2, $5, $6)
         ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, updated_at = now()
         WHERE users.email IS NULL AND EXCLUDED.email IS NOT NULL
       )
       INSERT INTO memberships (org_id, user_id, role, permissions) VALUES ($1, $2, $3, $7)
       ON CONFLICT (org_id, user_id) DO UPDATE SET permissions = EXCLUDED.permissions, updated_at = now()
       WHERE memberships.permissions IS DISTINCT FROM EXCLUDED.permissions`,
      [scope.orgId, user.id, user.role, user.orgSlug, user.email, user.name, [...user.permissions].sort()],
    );
  }

  /**
   * Members who may receive an org's notifications: by id, and/or holding a
   * permission (admins hold every one). Deleted users never.
   */
  recipients(
    scope: TenantScope,
    filter: { userIds?: readonly string[]; permission?: string },
  ): Promise<RecipientDto[]> {
    return this.sql.rows<RecipientDto>(
      `SELECT m.user_id AS "userId", u.email, u.name, m.role, m.permissions
         FROM memberships m JOIN users u ON u.id = m.user_id AND u.deleted_at IS NULL
        WHERE m.org_id = $1
          AND ($2::text[] IS NULL OR m.user_id = ANY($2))
          AND ($3::text IS NULL OR m.role = 'org:admin' OR $3 = ANY(m.permissions))
        ORDER BY m.user_id LIMIT 1000`,
      [scope.orgId, filter.userIds ? [...filter.userIds] : null, filter.permission ?? null],
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
