import { Injectable, Logger } from '@nestjs/common';
import { ClerkWebhookMessage, Events } from '@smartbeak/contracts';
import { appendToOutbox } from '@smartbeak/messaging';
import { Database, orgScope, type Sql, systemScope } from '@smartbeak/persistence';

import { AuditService } from '../audit/audit.service';
import { DomainsRepository } from '../domains/domains.repository';
import { IdentityRepository } from '../identity/identity.repository';
import { IdentityService } from '../identity/identity.service';
import { UsersSystem } from '../identity/users.system';

const MIRROR = systemScope('Clerk user mirror');

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
    private readonly db: Database,
    private readonly users: UsersSystem,
    private readonly identities: IdentityRepository,
    private readonly domains: DomainsRepository,
    private readonly audit: AuditService,
    private readonly identity: IdentityService,
  ) {}

  /** Webhook deliveries are remembered this long (replays and retries come within days). */
  static readonly KEEP_DELIVERIES_DAYS = 30;

  /** Forgets old deliveries (the maintenance job); how many went. */
  pruneDeliveries(): Promise<number> {
    return this.users.pruneDeliveries(MIRROR, ClerkSyncService.KEEP_DELIVERIES_DAYS);
  }

  async apply(message: ClerkWebhookMessage): Promise<ApplyOutcome> {
    return this.db.transaction(async (tx) => {
      if (!(await this.users.in(tx).firstDelivery(MIRROR, message.svixId, message.type))) return 'duplicate';
      const handled = await this.dispatch(tx, message.type, message.data);
      if (!handled) this.logger.log(`Clerk event ${message.type} is not mirrored; acknowledged`);
      return handled ? 'applied' : 'ignored';
    });
  }

  private async dispatch(tx: Sql, type: string, data: Data): Promise<boolean> {
    switch (type) {
      case 'user.created':
      case 'user.updated':
        await this.upsertUser(tx, data);
        return true;
      case 'user.deleted':
        await this.deleteUser(tx, data);
        return true;
      case 'organization.created':
      case 'organization.updated':
        await this.upsertOrg(tx, data);
        return true;
      case 'organization.deleted':
        await this.deleteOrg(tx, data);
        return true;
      case 'organizationMembership.created':
      case 'organizationMembership.updated':
        await this.upsertMembership(tx, type, data);
        return true;
      case 'organizationMembership.deleted':
        await this.deleteMembership(tx, data);
        return true;
      default:
        return false;
    }
  }

  private async upsertUser(tx: Sql, data: Data): Promise<void> {
    const id = str(data['id']);
    if (!id) return;
    await this.users.in(tx).upsert(MIRROR, {
      id,
      email: primaryEmail(data),
      name: fullName(data['first_name'], data['last_name']),
      clerkUpdatedAt: num(data['updated_at']),
    });
  }

  private async deleteUser(tx: Sql, data: Data): Promise<void> {
    const id = str(data['id']);
    if (!id) return;
    const orgs = await this.users.in(tx).delete(MIRROR, id);
    for (const orgId of orgs) {
      await this.audit.record(tx, {
        orgId,
        actorId: 'clerk',
        category: 'security',
        action: 'user.deleted',
        targetType: 'user',
        targetId: id,
      });
    }
    this.identity.forget((_orgId, userId) => userId === id);
  }

  private async upsertOrg(tx: Sql, data: Data): Promise<void> {
    const id = str(data['id']);
    if (!id) return;
    await this.identities.in(tx).upsertOrg(orgScope(id), {
      name: str(data['name']),
      slug: str(data['slug']),
      clerkUpdatedAt: num(data['updated_at']),
    });
    await appendToOutbox(tx, [
      {
        type: Events.controlPlane.orgUpserted,
        aggregateId: id,
        orgId: id,
        payload: { id, name: str(data['name']) },
      },
    ]);
  }

  private async deleteOrg(tx: Sql, data: Data): Promise<void> {
    const id = str(data['id']);
    if (!id) return;
    // Domains and content stay until an operator purges them: a deleted Clerk
    // org may be restored, and losing a portfolio to one webhook is not ok.
    await this.identities.in(tx).deleteOrg(orgScope(id));
    await this.domains.in(tx).suspendAll(orgScope(id));
    await this.audit.record(tx, {
      orgId: id,
      actorId: 'clerk',
      category: 'security',
      action: 'organization.deleted',
      targetType: 'organization',
      targetId: id,
    });
    await appendToOutbox(tx, [
      { type: Events.controlPlane.orgDeleted, aggregateId: id, orgId: id, payload: { id } },
    ]);
    this.identity.forget((orgId) => orgId === id);
  }

  private async upsertMembership(tx: Sql, type: string, data: Data): Promise<void> {
    const org = (data['organization'] ?? {}) as Data;
    const user = (data['public_user_data'] ?? {}) as Data;
    const orgId = str(org['id']);
    const userId = str(user['user_id']);
    const role = str(data['role']) ?? 'org:member';
    if (!orgId || !userId) return;
    await this.identities
      .in(tx)
      .upsertMembership(
        orgScope(orgId),
        { name: str(org['name']), slug: str(org['slug']) },
        { id: userId, email: str(user['identifier']), name: fullName(user['first_name'], user['last_name']) },
        role,
        num(data['updated_at']),
      );
    await this.audit.record(tx, {
      orgId,
      actorId: 'clerk',
      category: 'admin',
      action: type === 'organizationMembership.created' ? 'membership.created' : 'membership.updated',
      targetType: 'user',
      targetId: userId,
      metadata: { role },
    });
  }

  private async deleteMembership(tx: Sql, data: Data): Promise<void> {
    const orgId = str(((data['organization'] ?? {}) as Data)['id']);
    const userId = str(((data['public_user_data'] ?? {}) as Data)['user_id']);
    if (!orgId || !userId) return;
    await this.identities.in(tx).deleteMembership(orgScope(orgId), userId);
    await this.audit.record(tx, {
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
