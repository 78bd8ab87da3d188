import { Inject, Injectable, Logger } from '@nestjs/common';
import { type GoogleCredentials } from '@smartbeak/outbound';
import { CredentialVault, orgScope, type SystemScope } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';

import { AnalysisSystem } from '../analysis/analysis.system';
import { type SeoConfig } from '../config/seo.config';
import { Providers } from '../providers/providers';
import { ProviderError } from '../providers/provider-error';
import { CREDENTIAL_VAULT } from '../seo.tokens';
import { type SourceRow, SourcesRepository } from '../sources/sources.repository';
import { IngestionsSystem } from './ingestions.system';
import { type IngestionRow } from './ingestions.repository';
import { MetricsSystem } from './metrics.system';
import { normaliseRows, type RawRow, WindowRows } from './normalise';
import { addDays, advance, dayOf, monthsBack, planWindows } from './windows';

interface Span {
  start: string | null;
  end: string | null;
}

/** Where a run's time went (ms), logged with its outcome. */
interface Timings {
  fetch: number;
  normalise: number;
  write: number;
  analyse: number;
}

/**
 * Runs one ingestion: fetch each window whole, check and normalise it, write
 * it in one transaction, then analyse the domain. A provider error ends it
 * as failed with its error (windows already written stay: each is whole);
 * the rows of the window being fetched are never written.
 */
@Injectable()
export class IngestionRunner {
  private readonly logger = new Logger(IngestionRunner.name);

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: SeoConfig,
    @Inject(CREDENTIAL_VAULT) private readonly vault: CredentialVault,
    private readonly providers: Providers,
    private readonly ingestions: IngestionsSystem,
    private readonly metrics: MetricsSystem,
    private readonly analysis: AnalysisSystem,
    private readonly sources: SourcesRepository,
  ) {}

  async run(scope: SystemScope, ingestionId: string): Promise<{ state: string }> {
    const started = await this.ingestions.start(scope, ingestionId);
    if (!started) return { state: 'gone' };
    const { ingestion, source } = started;
    const span: Span = { start: null, end: null };
    const timings: Timings = { fetch: 0, normalise: 0, write: 0, analyse: 0 };
    try {
      if (source.type === 'gsc') await this.gsc(scope, ingestion, source, span, timings);
      else await this.ahrefs(scope, ingestion, source, span, timings);
      const analysing = Date.now();
      const analysed = await this.analysis.run(scope, {
        orgId: source.orgId,
        domainId: source.domainId,
        sourceId: source.id,
      });
      timings.analyse = Date.now() - analysing;
      await this.ingestions.succeed(scope, ingestion.id, span);
      this.logger.log(
        `ingestion ${ingestion.id} (${source.type}) succeeded: ${span.start ?? '-'}..${span.end ?? '-'}, ` +
          `analysis to ${analysed.windowEnd ?? '-'} ${JSON.stringify(analysed.signals)}, ms ${JSON.stringify(timings)}`,
      );
      return { state: 'succeeded' };
    } catch (error) {
      const known = error instanceof ProviderError;
      if (!known) this.logger.error(`ingestion ${ingestion.id}: ${(error as Error).stack ?? String(error)}`);
      await this.ingestions.fail(scope, ingestion, source, {
        code: known ? error.code : 'internal',
        message: known
          ? error.message
          : 'An internal error ended the ingestion; it is logged for the operators',
        span,
      });
      return { state: 'failed' };
    }
  }

  private async gsc(
    scope: SystemScope,
    ingestion: IngestionRow,
    source: SourceRow,
    span: Span,
    timings: Timings,
  ): Promise<void> {
    const { credentials } = this.vault.open<{ credentials: GoogleCredentials }>(source.secret, {
      orgId: source.orgId,
      rowId: source.id,
    });
    const client = this.providers.gsc(String(source.settings['property']), credentials);
    const today = dayOf(new Date());
    let state: { historyFrom: string | null; finalThrough: string | null } = {
      historyFrom: source.historyFrom,
      finalThrough: source.finalThrough,
    };
    const windows = planWindows({
      today,
      earliest: monthsBack(today, this.config.SEO_BACKFILL_MONTHS),
      ...state,
      windowDays: this.config.SEO_WINDOW_DAYS,
    });
    for (const window of windows) {
      const checked = new WindowRows(window);
      // Without metadata (no incomplete day in the window), every day of it is final.
      let firstIncomplete = addDays(today, 1);
      let fetching = Date.now();
      for await (const page of client.rows(window.start, window.end)) {
        timings.fetch += Date.now() - fetching;
        const at = Date.now();
        checked.add(page.rows);
        timings.normalise += Date.now() - at;
        if (page.firstIncompleteDate && page.firstIncompleteDate < firstIncomplete)
          firstIncomplete = page.firstIncompleteDate;
        await this.ingestions.progress(scope, ingestion.id, {
          rowsRead: page.rows.length,
          pages: 1,
          units: 0,
        });
        fetching = Date.now();
      }
      timings.fetch += Date.now() - fetching;
      const at = Date.now();
      const next = advance(state, window, firstIncomplete);
      await this.metrics.writeWindow(scope, {
        ingestionId: ingestion.id,
        source,
        window,
        rows: checked.rows,
        firstIncomplete,
        rejected: checked.rejected,
        sample: checked.sample,
        span: next,
      });
      timings.write += Date.now() - at;
      state = next;
      widen(span, window);
    }
  }

  private async ahrefs(
    scope: SystemScope,
    ingestion: IngestionRow,
    source: SourceRow,
    span: Span,
    timings: Timings,
  ): Promise<void> {
    const { apiKey } = this.vault.open<{ apiKey: string }>(source.secret, {
      orgId: source.orgId,
      rowId: source.id,
    });
    const settings = source.settings as {
      target: string;
      mode: string;
      country?: string;
      monthlyUnitBudget: number;
    };
    const client = this.providers.ahrefs(apiKey, settings);
    // Ahrefs' snapshot of yesterday: a whole day, final.
    const day = addDays(dayOf(new Date()), -1);
    const window = { start: day, end: day, kind: 'recent' as const };
    const spent = await this.sources.unitsSpentThisMonth(orgScope(source.orgId));
    const raw: RawRow[] = [];
    let at = Date.now();
    for await (const page of client.rows(day, settings.monthlyUnitBudget - spent)) {
      raw.push(...page.rows);
      await this.ingestions.progress(scope, ingestion.id, {
        rowsRead: page.rows.length,
        pages: 1,
        units: page.units,
      });
    }
    timings.fetch = Date.now() - at;
    at = Date.now();
    const checked = normaliseRows(raw, window);
    timings.normalise = Date.now() - at;
    at = Date.now();
    await this.metrics.writeWindow(scope, {
      ingestionId: ingestion.id,
      source,
      window,
      rows: checked.rows,
      firstIncomplete: addDays(day, 1),
      rejected: checked.rejected,
      sample: checked.sample,
      span: advance(
        { historyFrom: source.historyFrom, finalThrough: source.finalThrough },
        window,
        addDays(day, 1),
      ),
    });
    timings.write = Date.now() - at;
    widen(span, window);
  }
}

function widen(span: Span, window: { start: string; end: string }): void {
  if (!span.start || window.start < span.start) span.start = window.start;
  if (!span.end || window.end > span.end) span.end = window.end;
}
