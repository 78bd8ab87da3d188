import { randomUUID } from 'node:crypto';

import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import {
  CommonError,
  type CreateSeoSourceDto,
  type ListSeoSourcesQueryDto,
  type Page,
  type RequestContext,
  type SeoSourceDto,
  type SeoSourceTestDto,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { type GoogleCredentials } from '@smartbeak/outbound';
import { CredentialVault, mapPage, scopeOf } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';

import { type SeoConfig } from '../config/seo.config';
import { IngestionsRepository } from '../ingestions/ingestions.repository';
import { ProviderError } from '../providers/provider-error';
import { Providers } from '../providers/providers';
import { IngestionQueue } from '../queues/ingestion-queue';
import { CREDENTIAL_VAULT } from '../seo.tokens';
import { parseSourceConfig } from './source-config';
import { type SourceRow, SourcesRepository } from './sources.repository';

/** SEO sources: who may connect one, checks of the config and of the account, the schedule. */
@Injectable()
export class SourcesService {
  private readonly logger = new Logger(SourcesService.name);

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: SeoConfig,
    @Inject(CREDENTIAL_VAULT) private readonly vault: CredentialVault,
    private readonly sources: SourcesRepository,
    private readonly ingestions: IngestionsRepository,
    private readonly domains: DomainAccess,
    private readonly providers: Providers,
    private readonly queue: IngestionQueue,
  ) {}

  /**
   * Checks the config, then the account itself (GSC `sites.get`; Ahrefs'
   * free usage call) before anything is stored; stores the secrets sealed;
   * schedules the source and queues its first run (a GSC backfill).
   */
  async create(ctx: RequestContext, input: CreateSeoSourceDto): Promise<SeoSourceDto> {
    requirePermissions(ctx, 'seo:write');
    const domain = await this.domains.resolve(ctx, input.domainId);
    const parsed = parseSourceConfig(input.type, input.config, {
      monthlyUnitBudget: this.config.AHREFS_MONTHLY_UNIT_BUDGET,
    });
    const check = await this.check(parsed.type, parsed.settings, parsed.secret);
    if (!check.ok)
      throw new DomainError(CommonError.RULE_VIOLATION, check.detail, [
        { field: 'config', message: check.detail },
      ]);
    const id = randomUUID();
    const row = await this.sources.insert(scopeOf(ctx), {
      id,
      domainId: domain.id,
      type: parsed.type,
      name: input.name ?? parsed.external,
      external: parsed.external,
      settings: parsed.settings,
      secret: this.vault.seal(parsed.secret, { orgId: ctx.orgId, rowId: id }),
      createdBy: ctx.userId,
    });
    if (!row)
      throw new DomainError(
        CommonError.CONFLICT,
        `This domain has a ${parsed.type} source for ${parsed.external} already`,
      );
    await this.queue.schedule(row.id);
    const first = await this.ingestions.queue(scopeOf(ctx), row, 'schedule', ctx.userId);
    await this.queue.run(first.id);
    return toSourceDto(row);
  }

  async get(ctx: RequestContext, id: string): Promise<SeoSourceDto> {
    requirePermissions(ctx, 'seo:read');
    const row = await this.find(ctx, id);
    return toSourceDto(
      row,
      row.type === 'ahrefs' ? await this.sources.unitsSpentThisMonth(scopeOf(ctx)) : undefined,
    );
  }

  async list(ctx: RequestContext, query: ListSeoSourcesQueryDto): Promise<Page<SeoSourceDto>> {
    requirePermissions(ctx, 'seo:read');
    const domainId = query.domainId ?? ctx.domainId;
    const page = await this.sources.list(scopeOf(ctx), {
      domainId: domainId ? (await this.domains.resolve(ctx, domainId)).id : undefined,
      limit: query.limit,
      cursor: query.cursor,
    });
    const units = page.items.some((row) => row.type === 'ahrefs')
      ? await this.sources.unitsSpentThisMonth(scopeOf(ctx))
      : undefined;
    return mapPage(page, (row) => toSourceDto(row, row.type === 'ahrefs' ? units : undefined));
  }

  /** Checks the stored credentials against the provider now; `ok: false` says why. */
  async test(ctx: RequestContext, id: string): Promise<SeoSourceTestDto> {
    requirePermissions(ctx, 'seo:write');
    const row = await this.find(ctx, id);
    return this.check(
      row.type,
      row.settings,
      this.vault.open(row.secret, { orgId: row.orgId, rowId: row.id }),
    );
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    requirePermissions(ctx, 'seo:write');
    const row = await this.find(ctx, id);
    await this.queue.unschedule(row.id);
    await this.sources.remove(scopeOf(ctx), row.id);
  }

  private async find(ctx: RequestContext, id: string): Promise<SourceRow> {
    const row = await this.sources.find(scopeOf(ctx), id);
    // Another org's source is as missing as one that never was; so is one of a domain the token may not see.
    if (!row || (ctx.domainId && row.domainId !== ctx.domainId))
      throw new DomainError(CommonError.NOT_FOUND, 'No such SEO source');
    return row;
  }

  private async check(
    type: string,
    settings: Record<string, unknown>,
    secret: Record<string, unknown>,
  ): Promise<SeoSourceTestDto> {
    try {
      if (type === 'gsc') {
        const property = String(settings['property']);
        const client = this.providers.gsc(
          property,
          secret['credentials'] as GoogleCredentials,
          this.providers.interactive,
        );
        const { permissionLevel } = await client.verify();
        return { ok: true, detail: `Search Console property ${property} readable (${permissionLevel})` };
      }
      const client = this.providers.ahrefs(
        String(secret['apiKey']),
        settings as { target: string; mode: string },
        this.providers.interactive,
      );
      const { unitsLeft } = await client.verify();
      return {
        ok: true,
        detail: `Ahrefs key accepted${unitsLeft === null ? '' : ` (${unitsLeft} API units left)`}`,
      };
    } catch (error) {
      if (error instanceof ProviderError) return { ok: false, detail: error.message };
      this.logger.error(`source check: ${(error as Error).stack ?? String(error)}`);
      throw error;
    }
  }
}

export function toSourceDto(row: SourceRow, unitsSpentThisMonth?: number): SeoSourceDto {
  return {
    id: row.id,
    domainId: row.domainId,
    type: row.type,
    name: row.name,
    settings: row.settings,
    historyFrom: row.historyFrom,
    finalThrough: row.finalThrough,
    paused: row.paused,
    ...(unitsSpentThisMonth === undefined ? {} : { unitsSpentThisMonth }),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}
