import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
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
import { assertOutboundAllowed, OutboundRefusedError, outboundPolicyOf } from '@smartbeak/outbound';
import { CredentialVault, mapPage, scopeOf, type TenantScope } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';

import { type PublishingAdapter, type ResolvedTarget } from '../adapters/adapter';
import { PublishingConfig } from '../config/publishing.config';

import { ADAPTERS, CREDENTIAL_VAULT } from '../publishing.tokens';

import { type TargetRow, TargetsRepository } from './targets.repository';

/** Which configuration fields are secret (sealed, never returned), per type. */
const SECRET_FIELDS: Record<TargetType, string[]> = {
  wordpress: ['applicationPassword'],
  linkedin: ['accessToken'],
  email: [],
};
const CONFIG_DTO = { wordpress: WordPressConfigDto, linkedin: LinkedInConfigDto, email: EmailConfigDto };

@Injectable()
export class TargetsService {
  constructor(
    private readonly targets: TargetsRepository,
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
    const id = randomUUID();
    const row = await this.targets.insert(scopeOf(ctx), {
      id,
      domainId: domain.id,
      type: input.type,
      name: input.name,
      config: visible,
      secret: this.vault.seal(secret, { orgId: ctx.orgId, rowId: id }),
      autoPublish: input.autoPublish ?? true,
    });
    return toTargetDto(row);
  }

  async list(ctx: RequestContext, query: ListTargetsQueryDto): Promise<Page<TargetDto>> {
    requirePermissions(ctx, 'publishing:write');
    const domainId = query.domainId ?? ctx.domainId;
    const page = await this.targets.list(scopeOf(ctx), {
      domainId: domainId ? (await this.domains.resolve(ctx, domainId)).id : undefined,
      limit: query.limit,
      cursor: query.cursor,
    });
    return mapPage(page, toTargetDto);
  }

  async test(ctx: RequestContext, id: string): Promise<TargetTestResultDto> {
    requirePermissions(ctx, 'publishing:write');
    const [target] = await this.resolve(scopeOf(ctx), [id]);
    if (!target) throw new DomainError(PublishingError.TARGET_NOT_FOUND, 'Publishing target not found');
    await this.domains.resolve(ctx, target.domainId); // a suspended domain calls out to nothing
    return this.adapters[target.type].test(target);
  }

  /** The org's live targets among `ids`, secrets opened, with their domain. */
  async resolve(
    scope: TenantScope,
    ids: string[],
  ): Promise<(ResolvedTarget & { domainId: string; autoPublish: boolean })[]> {
    const rows = await this.targets.findMany(scope, ids);
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      domainId: row.domainId,
      autoPublish: row.autoPublish,
      config: row.config,
      secret: this.vault.open(row.secret, { orgId: row.orgId, rowId: row.id }),
    }));
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
