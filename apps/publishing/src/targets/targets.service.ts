import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import {
  type CreateTargetDto,
  EmailConfigDto,
  LinkedInConfigDto,
  type ListTargetsQueryDto,
  type Page,
  PublishingError,
  type RequestContext,
  type TargetDto,
  type TargetTestResultDto,
  type TargetType,
  WordPressConfigDto,
} from '@smartbeak/contracts';
import { DomainError, parseDto } from '@smartbeak/errors';
import { assertOutboundAllowed, OutboundRefusedError } from '@smartbeak/outbound';
import { decodeTimeCursor, encodeCursor, pageSize } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { DataSource, type EntityManager } from 'typeorm';

import { type PublishingAdapter, type ResolvedTarget } from '../adapters/adapter';
import { PublishingConfig } from '../config/publishing.config';
import { CredentialVault } from '../credentials/credentials';
import { ADAPTERS, CREDENTIAL_VAULT } from '../publishing.tokens';
import { outboundPolicyOf } from './outbound-policy';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Which configuration fields are secret (sealed, never returned), per type. */
const SECRET_FIELDS: Record<TargetType, string[]> = {
  wordpress: ['applicationPassword'],
  linkedin: ['accessToken'],
  email: [],
};
const CONFIG_DTO = { wordpress: WordPressConfigDto, linkedin: LinkedInConfigDto, email: EmailConfigDto };

interface TargetRow {
  id: string;
  orgId: string;
  domainId: string;
  type: TargetType;
  name: string;
  config: Record<string, unknown>;
  secret: string;
  autoPublish: boolean;
  createdAt: Date;
}

const TARGET_COLUMNS = `id, org_id AS "orgId", domain_id AS "domainId", type, name, config, secret,
  auto_publish AS "autoPublish", created_at AS "createdAt"`;

@Injectable()
export class TargetsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: PublishingConfig,
    @Inject(CREDENTIAL_VAULT) private readonly vault: CredentialVault,
    @Inject(ADAPTERS) private readonly adapters: Record<TargetType, PublishingAdapter>,
    private readonly domains: DomainAccess,
  ) {}

  async create(ctx: RequestContext, input: CreateTargetDto): Promise<TargetDto> {
    requirePermissions(ctx, 'publishing:write');
    const domain = await this.domains.resolve(ctx, input.domainId);
    const config = parseConfig(input.type, input.config);
    if (input.type === 'wordpress') await this.checkDestination(String(config['baseUrl']));
    const secret: Record<string, unknown> = {};
    const visible: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) {
      if (value === undefined) continue;
      (SECRET_FIELDS[input.type].includes(key) ? secret : visible)[key] = value;
    }
    const rows: TargetRow[] = await this.dataSource.query(
      `INSERT INTO publishing_targets (id, org_id, domain_id, type, name, config, secret, auto_publish)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) RETURNING ${TARGET_COLUMNS}`,
      [
        randomUUID(),
        ctx.orgId,
        domain.id,
        input.type,
        input.name,
        JSON.stringify(visible),
        this.vault.seal(secret),
        input.autoPublish ?? true,
      ],
    );
    return toTargetDto(rows[0] as TargetRow);
  }

  async list(ctx: RequestContext, query: ListTargetsQueryDto): Promise<Page<TargetDto>> {
    requirePermissions(ctx, 'publishing:write');
    const params: unknown[] = [ctx.orgId];
    const where = ['org_id = $1', 'deleted_at IS NULL'];
    const domainId = query.domainId ?? ctx.domainId;
    if (domainId) {
      params.push((await this.domains.resolve(ctx, domainId)).id);
      where.push(`domain_id = $${params.length}`);
    }
    if (query.cursor) {
      const [at, id] = decodeTimeCursor(query.cursor);
      params.push(at, id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    const limit = pageSize(query.limit);
    params.push(limit + 1);
    const rows: TargetRow[] = await this.dataSource.query(
      `SELECT ${TARGET_COLUMNS} FROM publishing_targets WHERE ${where.join(' AND ')}
        ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toTargetDto),
      nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }

  async test(ctx: RequestContext, id: string): Promise<TargetTestResultDto> {
    requirePermissions(ctx, 'publishing:write');
    const [target] = await this.resolve(this.dataSource.manager, ctx.orgId, [id]);
    if (!target) throw new DomainError(PublishingError.TARGET_NOT_FOUND, 'Publishing target not found');
    return this.adapters[target.type].test(target);
  }

  /** The org's live targets among `ids`, secrets opened, with their domain. */
  async resolve(
    manager: EntityManager,
    orgId: string,
    ids: string[],
  ): Promise<(ResolvedTarget & { domainId: string; autoPublish: boolean })[]> {
    const valid = ids.filter((id) => UUID.test(id));
    if (!valid.length) return [];
    const rows: TargetRow[] = await manager.query(
      `SELECT ${TARGET_COLUMNS} FROM publishing_targets WHERE org_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL`,
      [orgId, valid],
    );
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      domainId: row.domainId,
      autoPublish: row.autoPublish,
      config: row.config,
      secret: this.vault.open(row.secret),
    }));
  }

  /** The domain's targets that publish by themselves when an item's scheduled time comes. */
  async autoTargets(manager: EntityManager, orgId: string, domainId: string): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM publishing_targets WHERE org_id = $1 AND domain_id = $2 AND auto_publish AND deleted_at IS NULL ORDER BY created_at`,
      [orgId, domainId],
    );
    return rows.map((row) => row.id);
  }

  /** Refuses at once a destination the outbound guard would refuse (scheme, literal address). */
  private async checkDestination(url: string): Promise<void> {
    try {
      await assertOutboundAllowed(url, outboundPolicyOf(this.config));
    } catch (error) {
      if (!(error instanceof OutboundRefusedError)) throw error;
      throw new DomainError(PublishingError.DESTINATION_REFUSED, error.message, [
        { field: 'config.baseUrl', message: error.message },
      ]);
    }
  }
}

function parseConfig(type: TargetType, config: Record<string, unknown>): Record<string, unknown> {
  try {
    return { ...parseDto(CONFIG_DTO[type] as new () => object, config) } as Record<string, unknown>;
  } catch (error) {
    if (error instanceof DomainError && error.errors) {
      throw DomainError.validation(
        error.errors.map((e) => ({ field: `config.${e.field}`, message: e.message })),
      );
    }
    throw error;
  }
}

function toTargetDto(row: TargetRow): TargetDto {
  return {
    id: row.id,
    domainId: row.domainId,
    type: row.type,
    name: row.name,
    config: row.config,
    autoPublish: row.autoPublish,
    createdAt: row.createdAt.toISOString(),
  };
}
