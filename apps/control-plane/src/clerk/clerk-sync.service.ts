import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClerkWebhookMessage, Events } from '@smartbeak/contracts';
import { appendToOutbox } from '@smartbeak/messaging';
import { DataSource, EntityManager } from 'typeorm';

import { AuditService } from '../audit/audit.service';
import { IdentityService } from '../identity/identity.service';

type Data = Record<string, unknown>;

const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);
const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

function fullName(first: unknown, last: unknown): string | null {
  const name = [str(first), str(last)].filter(Boolean).join(' ');
  return name || null;
}

function primaryEmail(data: Data): string | null {
  const primaryId = str(data['primary_email_address_id']);
  const addresses = Array.isArray(data['email_addresses']) ? (data['email_addresses'] as Data[]) : [];
  const primary = addresses.find((address) => address['id'] === primaryId) ?? addresses[0];
  return primary ? str(primary['email_address']) : null;
}

export type ApplyOutcome = 'applied' | 'duplicate' | 'ignored';

/**
 * Mirrors Clerk's users, organisations and memberships. Each Svix message
 * applies once (its id is recorded in the same transaction); an update older
 * than what is stored (Clerk's `updated_at`) does not overwrite it, since
 * Svix may deliver out of order.
 */
@Injectable()
export class ClerkSyncService {
  private readonly logger = new Logger(ClerkSyncService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly identity: IdentityService,
  ) {}

  async apply(message: ClerkWebhookMessage): Promise<ApplyOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const fresh: unknown[] = await manager.query(
        `INSERT INTO clerk_webhook_events (svix_id, type) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING svix_id`,
        [message.svixId, message.type],
      );
      if (!fresh.length) return 'duplicate';
      const handled = await this.dispatch(manager, message.type, message.data);
      if (!handled) this.logger.log(`Clerk event ${message.type} is not mirrored; acknowledged`);
      return handled ? 'applied' : 'ignored';
    });
  }

  private async dispatch(manager: EntityManager, type: string, data: Data): Promise<boolean> {
    switch (type) {
      case 'user.created':
      case 'user.updated':
        await this.upsertUser(manager, data);
        return true;
      case 'user.deleted':
        await this.deleteUser(manager, data);
        return true;
      case 'organization.created':
      case 'organization.updated':
        await this.upsertOrg(manager, data);
        return true;
      case 'organization.deleted':
        await this.deleteOrg(manager, data);
        return true;
      case 'organizationMembership.created':
      case 'organizationMembership.updated':
        await this.upsertMembership(manager, type, data);
        return true;
      case 'organizationMembership.deleted':
        await this.deleteMembership(manager, data);
        return true;
      default:
        return false;
    }
  }

  private async upsertUser(manager: EntityManager, data: Data): Promise<void> {
    const id = str(data['id']);
    if (!id) return;
    await manager.query(
      `INSERT INTO users (id, email, name, clerk_updated_at, deleted_at) VALUES ($1, $2, $3, $4, NULL)
       ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name,
         clerk_updated_at = EXCLUDED.clerk_updated_at, deleted_at = NULL, updated_at = now()
       WHERE users.clerk_updated_at IS NULL OR EXCLUDED.clerk_updated_at IS NULL OR users.clerk_updated_at <= EXCLUDED.clerk_updated_at`,
      [id, primaryEmail(data), fullName(data['first_name'], data['last_name']), num(data['updated_at'])],
    );
  }

  private async deleteUser(manager: EntityManager, data: Data): Promise<void> {
    const id = str(data['id']);
    if (!id) return;
    const memberships: { org_id: string }[] = await manager.query(
      `DELETE FROM memberships WHERE user_id = $1 RETURNING org_id`,
      [id],
    );
    await manager.query(
      `UPDATE users SET deleted_at = now(), email = NULL, name = NULL, updated_at = now() WHERE id = $1`,
      [id],
    );
    for (const { org_id } of memberships) {
      await this.audit.record(manager, {
        orgId: org_id,
        actorId: 'clerk',
        category: 'security',
        action: 'user.deleted',
        targetType: 'user',
        targetId: id,
      });
    }
    this.identity.forget((_orgId, userId) => userId === id);
  }

  private async upsertOrg(manager: EntityManager, data: Data): Promise<void> {
    const id = str(data['id']);
    if (!id) return;
    await manager.query(
      `INSERT INTO orgs (id, name, slug, clerk_updated_at, deleted_at) VALUES ($1, $2, $3, $4, NULL)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, slug = EXCLUDED.slug,
         clerk_updated_at = EXCLUDED.clerk_updated_at, deleted_at = NULL, updated_at = now()
       WHERE orgs.clerk_updated_at IS NULL OR EXCLUDED.clerk_updated_at IS NULL OR orgs.clerk_updated_at <= EXCLUDED.clerk_updated_at`,
      [id, str(data['name']), str(data['slug']), num(data['updated_at'])],
    );
    await appendToOutbox(manager, [
      {
        type: Events.controlPlane.orgUpserted,
        aggregateId: id,
        orgId: id,
        payload: { id, name: str(data['name']) },
      },
    ]);
  }

  private async deleteOrg(manager: EntityManager, data: Data): Promise<void> {
    const id = str(data['id']);
    if (!id) return;
    // Domains and content stay until an operator purges them: a deleted Clerk
    // org may be restored, and losing a portfolio to one webhook is not ok.
    await manager.query(`UPDATE orgs SET deleted_at = now(), updated_at = now() WHERE id = $1`, [id]);
    await manager.query(`UPDATE domains SET status = 'suspended', updated_at = now() WHERE org_id = $1`, [
      id,
    ]);
    await manager.query(`DELETE FROM memberships WHERE org_id = $1`, [id]);
    await this.audit.record(manager, {
      orgId: id,
      actorId: 'clerk',
      category: 'security',
      action: 'organization.deleted',
      targetType: 'organization',
      targetId: id,
    });
    await appendToOutbox(manager, [
      { type: Events.controlPlane.orgDeleted, aggregateId: id, orgId: id, payload: { id } },
    ]);
    this.identity.forget((orgId) => orgId === id);
  }

  private async upsertMembership(manager: EntityManager, type: string, data: Data): Promise<void> {
    const org = (data['organization'] ?? {}) as Data;
    const user = (data['public_user_data'] ?? {}) as Data;
    const orgId = str(org['id']);
    const userId = str(user['user_id']);
    const role = str(data['role']) ?? 'org:member';
    if (!orgId || !userId) return;
    await manager.query(`INSERT INTO orgs (id, name, slug) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`, [
      orgId,
      str(org['name']),
      str(org['slug']),
    ]);
    await manager.query(
      `INSERT INTO users (id, email, name) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
      [userId, str(user['identifier']), fullName(user['first_name'], user['last_name'])],
    );
    await manager.query(
      `INSERT INTO memberships (org_id, user_id, role, clerk_updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id, user_id) DO UPDATE SET role = EXCLUDED.role, clerk_updated_at = EXCLUDED.clerk_updated_at, updated_at = now()
       WHERE memberships.clerk_updated_at IS NULL OR EXCLUDED.clerk_updated_at IS NULL OR memberships.clerk_updated_at <= EXCLUDED.clerk_updated_at`,
      [orgId, userId, role, num(data['updated_at'])],
    );
    await this.audit.record(manager, {
      orgId,
      actorId: 'clerk',
      category: 'admin',
      action: type === 'organizationMembership.created' ? 'membership.created' : 'membership.updated',
      targetType: 'user',
      targetId: userId,
      metadata: { role },
    });
  }

  private async deleteMembership(manager: EntityManager, data: Data): Promise<void> {
    const orgId = str(((data['organization'] ?? {}) as Data)['id']);
    const userId = str(((data['public_user_data'] ?? {}) as Data)['user_id']);
    if (!orgId || !userId) return;
    await manager.query(`DELETE FROM memberships WHERE org_id = $1 AND user_id = $2`, [orgId, userId]);
    await this.audit.record(manager, {
      orgId,
      actorId: 'clerk',
      category: 'admin',
      action: 'membership.deleted',
      targetType: 'user',
      targetId: userId,
    });
    this.identity.forget((o, u) => o === orgId && u === userId);
  }
}
