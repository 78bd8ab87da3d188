import { randomUUID } from 'node:crypto';

import { orgScope, systemScope } from '@smartbeak/persistence';
import { type MigratedTestDatabase, migratedTestDatabase } from '@smartbeak/testing';

import { AnalysisSystem } from '../src/analysis/analysis.system';
import { type SeoConfig } from '../src/config/seo.config';
import { MIGRATIONS, seoDatabaseOptions } from '../src/database/schema';
import { IngestionsRepository } from '../src/ingestions/ingestions.repository';
import { IngestionsSystem } from '../src/ingestions/ingestions.system';
import { MetricsSystem, type WindowWrite } from '../src/ingestions/metrics.system';
import { type MetricRow } from '../src/ingestions/normalise';
import { addDays, dayOf } from '../src/ingestions/windows';
import { KeywordsRepository } from '../src/keywords/keywords.repository';
import { SourcesRepository } from '../src/sources/sources.repository';

const SYSTEM = systemScope('seo storage tests');
const today = dayOf(new Date());

describe('seo storage: whole windows, history, analysis (real PostgreSQL)', () => {
  let db: MigratedTestDatabase;
  let metrics: MetricsSystem;
  let analysis: AnalysisSystem;
  let keywords: KeywordsRepository;
  const org = `org_${randomUUID().slice(0, 8)}`;
  const domainId = randomUUID();
  let source: { id: string; orgId: string; domainId: string };
  let ingestionId: string;

  const row = (date: string, query: string, overrides: Partial<MetricRow> = {}): MetricRow => ({
    date,
    query,
    page: `https://example.com/${query.replace(/ /g, '-')}`,
    clicks: 10,
    impressions: 200,
    ctr: 0.05,
    position: 4,
    ...overrides,
  });
  const write = (
    window: { start: string; end: string },
    rows: MetricRow[],
    firstIncomplete = addDays(today, 1),
  ) =>
    metrics.writeWindow(SYSTEM, {
      ingestionId,
      source,
      window,
      rows,
      firstIncomplete,
      rejected: 0,
      sample: [],
      span: { historyFrom: window.start, finalThrough: addDays(firstIncomplete, -1) },
    } satisfies WindowWrite);
  const stored = async () =>
    (
      await db.database.rows<{ date: string; page: string; clicks: number; state: string }>(
        `SELECT to_char(date, 'YYYY-MM-DD') AS date, page, clicks, data_state AS state FROM keyword_metrics
          WHERE source_id = $1 ORDER BY date, page`,
        [source.id],
      )
    ).map((r) => `${r.date} ${r.page} ${r.clicks} ${r.state}`);

  beforeAll(async () => {
    db = await migratedTestDatabase('seo_storage', seoDatabaseOptions);
    metrics = new MetricsSystem(db.database);
    keywords = new KeywordsRepository(db.database);
    analysis = new AnalysisSystem(db.database, {
      SEO_MIN_IMPRESSIONS: 100,
      SEO_DROP_THRESHOLD: 3,
      SEO_MIN_PAGE_CLICKS: 20,
      SEO_PAGE_CLICK_LOSS: 0.3,
    } as SeoConfig);
    const created = await new SourcesRepository(db.database).insert(orgScope(org), {
      id: randomUUID(),
      domainId,
      type: 'gsc',
      name: 'sc-domain:example.com',
      external: 'sc-domain:example.com',
      settings: { property: 'sc-domain:example.com' },
      secret: 'sealed',
      createdBy: 'user_1',
    });
    source = { id: created!.id, orgId: org, domainId };
    ingestionId = (
      await new IngestionsRepository(db.database).queue(orgScope(org), source, 'manual', 'user_1')
    ).id;
  });
  afterAll(() => db.drop());

  it('migrates down and up again (down() undoes up())', async () => {
    const scratch = await migratedTestDatabase('seo_migrations', seoDatabaseOptions);
    for (let i = 0; i < MIGRATIONS.length; i++) await scratch.dataSource.undoLastMigration();
    await scratch.dataSource.runMigrations();
    expect(await scratch.database.one(`SELECT count(*)::int AS n FROM keyword_metrics`)).toEqual({ n: 0 });
    await scratch.drop();
  });

  it('stores a window once: the same rows again change nothing; fresh rows become final; gone rows go', async () => {
    const window = { start: addDays(today, -2), end: today };
    const rows = [
      row(window.start, 'alpha'),
      row(window.end, 'alpha', { clicks: 3 }),
      row(window.end, 'beta'),
    ];
    expect(await write(window, rows, today)).toEqual({ stored: 3, removed: 0 });
    expect(await stored()).toEqual([
      `${window.start} https://example.com/alpha 10 final`,
      `${today} https://example.com/alpha 3 fresh`,
      `${today} https://example.com/beta 10 fresh`,
    ]);
    expect(await write(window, rows, today)).toEqual({ stored: 0, removed: 0 });
    // Final now, with the final figures; beta is no longer listed for that day.
    expect(await write(window, [rows[0] as MetricRow, row(today, 'alpha', { clicks: 4 })])).toEqual({
      stored: 1,
      removed: 1,
    });
    expect(await stored()).toEqual([
      `${window.start} https://example.com/alpha 10 final`,
      `${today} https://example.com/alpha 4 final`,
    ]);
    const ingestion = await db.database.one<{ rows_stored: number }>(
      `SELECT rows_stored FROM ingestions WHERE id = $1`,
      [ingestionId],
    );
    expect(ingestion?.rows_stored).toBe(4);
  });

  it('refuses an impossible row at the table too, and then stores nothing of its window', async () => {
    const before = await stored();
    const window = { start: addDays(today, -20), end: addDays(today, -18) };
    await expect(
      write(window, [row(window.start, 'gamma'), row(window.end, 'gamma', { clicks: 500, impressions: 10 })]),
    ).rejects.toThrow(/check constraint/);
    expect(await stored()).toEqual(before);
  });

  it('analysis: summaries of the last 7 days against the 7 before; each signal told once per window', async () => {
    const window = { start: addDays(today, -13), end: today };
    const rows: MetricRow[] = [];
    for (let d = 0; d < 14; d++) {
      const date = addDays(today, -d);
      // delta drops from 5 to 12 this week (out of the top 10); epsilon holds at 2.
      rows.push(row(date, 'delta', { position: d < 7 ? 12 : 5 }));
      rows.push(row(date, 'epsilon', { position: 2 }));
    }
    await write(window, rows);
    const first = await analysis.run(SYSTEM, { orgId: org, domainId, sourceId: source.id });
    expect(first.windowEnd).toBe(today);
    expect(first.signals).toEqual({ 'seo.keyword.dropped': 1, 'seo.keyword.top-ten-exited': 1 });
    const second = await analysis.run(SYSTEM, { orgId: org, domainId, sourceId: source.id });
    expect(second.signals).toEqual({});
    const events = await db.database.rows<{ type: string; payload: { query: string } }>(
      `SELECT type, payload FROM outbox WHERE domain_id = $1 ORDER BY type`,
      [domainId],
    );
    expect(events.map((e) => `${e.type} ${e.payload.query}`)).toEqual([
      'seo.keyword.dropped delta',
      'seo.keyword.top-ten-exited delta',
    ]);

    // alpha and beta have no rows left in this window (the write replaced it): no figures, sorted last.
    const byChange = await keywords.list(orgScope(org), { domainId, sort: 'change' });
    const ranked = byChange.items.map((k) => [k.query, k.position, k.positionChange]);
    expect(ranked.slice(0, 2)).toEqual([
      ['epsilon', 2, 0],
      ['delta', 12, -7],
    ]);
    expect(ranked.slice(2).sort()).toEqual([
      ['alpha', null, null],
      ['beta', null, null],
    ]);
    // Another org sees none of it.
    expect((await keywords.list(orgScope('org_other'), { sort: 'clicks' })).items).toEqual([]);
  });

  it('pages keywords by a sort key without repeats or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await keywords.list(orgScope(org), { sort: 'clicks', limit: 1, cursor });
      seen.push(...page.items.map((k) => k.query));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.sort()).toEqual(['alpha', 'beta', 'delta', 'epsilon']);
  });

  it('analysis: another page taking over a keyword, and a page losing clicks, each told once', async () => {
    const window = { start: addDays(today, -13), end: today };
    const rows: MetricRow[] = [];
    for (let d = 0; d < 14; d++) {
      const date = addDays(today, -d);
      const thisWeek = d < 7;
      // zeta ranked with /guide last week and with /guide-2026 this week.
      rows.push(
        row(date, 'zeta', { page: `https://example.com/${thisWeek ? 'guide-2026' : 'guide'}`, position: 3 }),
      );
      // eta's page had 40 clicks a day last week and 10 this week.
      rows.push(
        row(date, 'eta', { page: 'https://example.com/pricing', clicks: thisWeek ? 10 : 40, position: 2 }),
      );
    }
    await write(window, rows);
    const first = await analysis.run(SYSTEM, { orgId: org, domainId, sourceId: source.id });
    // Two pages lost clicks: /pricing, and /guide (its keyword moved to /guide-2026).
    expect(first.signals).toEqual({ 'seo.keyword.url-changed': 1, 'seo.page.clicks-dropped': 2 });
    const told = await db.database.rows<{ type: string; payload: Record<string, unknown> }>(
      `SELECT type, payload FROM outbox WHERE domain_id = $1 AND type IN ('seo.keyword.url-changed', 'seo.page.clicks-dropped')
        ORDER BY type, payload->>'url'`,
      [domainId],
    );
    expect(told).toEqual([
      {
        type: 'seo.keyword.url-changed',
        payload: expect.objectContaining({
          query: 'zeta',
          url: 'https://example.com/guide-2026',
          previousUrl: 'https://example.com/guide',
        }),
      },
      {
        type: 'seo.page.clicks-dropped',
        payload: expect.objectContaining({ url: 'https://example.com/guide', clicks: 0, previousClicks: 70 }),
      },
      {
        type: 'seo.page.clicks-dropped',
        payload: expect.objectContaining({
          url: 'https://example.com/pricing',
          clicks: 70,
          previousClicks: 280,
        }),
      },
    ]);
    expect((await analysis.run(SYSTEM, { orgId: org, domainId, sourceId: source.id })).signals).toEqual({});
  });

  it('ends runs nothing has moved for long, unless their job still waits in the queue; live ones stay', async () => {
    const sources = new SourcesRepository(db.database);
    const ingestions = new IngestionsRepository(db.database);
    const system = new IngestionsSystem(db.database);
    const make = async (label: string) => {
      const created = await sources.insert(orgScope(org), {
        id: randomUUID(),
        domainId,
        type: 'gsc',
        name: label,
        external: `sc-domain:${label}.example`,
        settings: {},
        secret: 'sealed',
        createdBy: 'user_1',
      });
      return (await ingestions.queue(orgScope(org), created!, 'manual', 'user_1')).id;
    };
    const [lostQueued, waiting, lostRunning, live] = await Promise.all(
      ['lost-queued', 'waiting', 'lost-running', 'live'].map(make),
    );
    await db.database.run(
      `UPDATE ingestions SET created_at = now() - interval '2 hours' WHERE id = ANY($1)`,
      [[lostQueued, waiting, lostRunning, live]],
    );
    await system.start(SYSTEM, lostRunning as string);
    await system.start(SYSTEM, live as string);
    await db.database.run(`UPDATE ingestions SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [
      lostRunning,
    ]);

    const ended = await system.sweepStale(SYSTEM, 30 * 60_000, async (id) => id === waiting);
    expect(ended).toBe(2);
    const states = await db.database.rows<{ id: string; state: string; error_code: string | null }>(
      `SELECT id, state, error_code FROM ingestions WHERE id = ANY($1)`,
      [[lostQueued, waiting, lostRunning, live]],
    );
    const byId = Object.fromEntries(states.map((r) => [r.id, `${r.state} ${r.error_code ?? ''}`.trim()]));
    expect([byId[lostQueued!], byId[waiting!], byId[lostRunning!], byId[live!]]).toEqual([
      'failed stale',
      'queued',
      'failed stale',
      'running',
    ]);
    const told = await db.database.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE type = 'seo.ingestion.failed' AND aggregate_id = ANY($1)`,
      [[lostQueued, lostRunning]],
    );
    expect(told?.n).toBe(2);
    // Ended once: a second sweep finds nothing more.
    expect(await system.sweepStale(SYSTEM, 30 * 60_000, async (id) => id === waiting)).toBe(0);
  });
});
