import { Injectable } from '@nestjs/common';
import { requirePermissions } from '@smartbeak/auth';
import {
  ControlPlaneError,
  CreateDomainDto,
  DomainCheckResult,
  DomainDto,
  type DomainStatus,
  Events,
  ListDomainsQueryDto,
  Page,
  RequestContext,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { appendToOutbox } from '@smartbeak/messaging';
import { Database, isUniqueViolation, scopeOf } from '@smartbeak/persistence';

import { AuditService } from '../audit/audit.service';
import { IdentityService } from '../identity/identity.service';
import { type DomainRow, DomainsRepository } from './domains.repository';

@Injectable()
export class DomainsService {
  constructor(
    private readonly db: Database,
    private readonly domains: DomainsRepository,
    private readonly audit: AuditService,
    private readonly identity: IdentityService,
  ) {}

  /** Registers a domain; the audit entry and the event commit with it. */
  async create(ctx: RequestContext, input: CreateDomainDto): Promise<DomainDto> {
    requirePermissions(ctx, 'org:admin');
    await this.identity.ensure(ctx);
    try {
      const domain = await this.db.transaction(async (tx) => {
        const created = await this.domains.in(tx).insert(scopeOf(ctx), {
          name: input.name,
          hostname: input.hostname,
        });
        await this.audit.record(tx, {
          orgId: ctx.orgId,
          domainId: created.id,
          actorId: ctx.userId,
          requestId: ctx.requestId,
          category: 'admin',
          action: 'domain.created',
          targetType: 'domain',
          targetId: created.id,
          metadata: { name: created.name, hostname: created.hostname },
        });
        await appendToOutbox(tx, [
          {
            type: Events.controlPlane.domainCreated,
            aggregateId: created.id,
            orgId: ctx.orgId,
            domainId: created.id,
            payload: {
              id: created.id,
              name: created.name,
              hostname: created.hostname,
              createdBy: ctx.userId,
            },
          },
        ]);
        return created;
      });
      return toDomainDto(domain);
    } catch (error) {
      if (isUniqueViolation(error, 'domains_org_hostname_key')) {
        throw new DomainError(
          ControlPlaneError.HOSTNAME_TAKEN,
          `The hostname ${input.hostname} is already registered in this organisation`,
          [{ field: 'hostname', message: 'already registered in this organisation' }],
        );
      }
      throw error;
    }
  }

  /**
   * Suspends or resumes a domain (org admins), with its audit entry and
   * event. A suspended domain takes no new work: every service's domain
   * check refuses it (403) within DomainAccess's cache time for it (5 s).
   * The same status again changes nothing.
   */
  async setStatus(ctx: RequestContext, id: string, status: DomainStatus): Promise<DomainDto> {
    requirePermissions(ctx, 'org:admin');
    const current = await this.require(ctx, id);
    if (current.status === status) return toDomainDto(current);
    const changed = await this.db.transaction(async (tx) => {
      const row = await this.domains.in(tx).setStatus(scopeOf(ctx), id, status);
      if (!row) return undefined;
      const action = status === 'suspended' ? 'domain.suspended' : 'domain.resumed';
      await this.audit.record(tx, {
        orgId: ctx.orgId,
        domainId: row.id,
        actorId: ctx.userId,
        requestId: ctx.requestId,
        category: 'admin',
        action,
        targetType: 'domain',
        targetId: row.id,
        metadata: { hostname: row.hostname },
      });
      await appendToOutbox(tx, [
        {
          type:
            status === 'suspended' ? Events.controlPlane.domainSuspended : Events.controlPlane.domainResumed,
          aggregateId: row.id,
          orgId: ctx.orgId,
          domainId: row.id,
          payload: { id: row.id, hostname: row.hostname, by: ctx.userId },
        },
      ]);
      return row;
    });
    // Changed meanwhile by someone else: what it is now.
    return toDomainDto(changed ?? (await this.require(ctx, id)));
  }

  async get(ctx: RequestContext, id: string): Promise<DomainDto> {
    return toDomainDto(await this.require(ctx, id));
  }

  async list(ctx: RequestContext, query: ListDomainsQueryDto): Promise<Page<DomainDto>> {
    const page = await this.domains.list(scopeOf(ctx), query);
    return { items: page.items.map(toDomainDto), nextCursor: page.nextCursor };
  }

  /** "Does domain D belong to the caller's org?" Another org's domain is as missing as one that never was. */
  async check(ctx: RequestContext, id: string): Promise<DomainCheckResult> {
    const domain = await this.require(ctx, id);
    return { id: domain.id, orgId: domain.orgId, hostname: domain.hostname, status: domain.status };
  }

  private async require(ctx: RequestContext, id: string): Promise<DomainRow> {
    const domain = await this.domains.findById(scopeOf(ctx), id);
    if (!domain) throw new DomainError(ControlPlaneError.DOMAIN_NOT_FOUND, 'Domain not found');
    return domain;
  }
}

export function toDomainDto(row: DomainRow): DomainDto {
  return {
    id: row.id,
    orgId: row.orgId,
    name: row.name,
    hostname: row.hostname,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
