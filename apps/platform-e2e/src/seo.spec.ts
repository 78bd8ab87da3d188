import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { bullPrefix } from '@smartbeak/messaging';
import { eventually, testInfra, WORKSPACE_ROOT } from '@smartbeak/testing';
import { Queue } from 'bullmq';
import { Client } from 'pg';

import { devSession, launchChromium, seriousViolations } from './browser';
import { asUser } from './notify';
import { expectProblem, Platform, seedTenant, type Tenant } from './platform';

interface StandIn {
  url: string;
  close(): Promise<void>;
  standIn: { calls: Record<string, number> };
}
// The stand-ins the local stack serves too (plain JS): Search Console, Google OAuth, Ahrefs v3.
const { startSeoStandIn } = require(join(WORKSPACE_ROOT, 'tools/stack/seo-standin.js')) as {
  startSeoStandIn(): Promise<StandIn>;
};

const DAY_MS = 86_400_000;
const day = (offset: number) => new Date(Date.now() - offset * DAY_MS).toISOString().slice(0, 10);

function serviceAccount(): Record<string, string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    type: 'service_account',
    project_id: 'smartbeak-e2e',
    private_key_id: 'k1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: 'ingest@smartbeak-e2e.iam.gserviceaccount.com',
    client_id: '1234567890',
    token_uri: 'https://oauth2.googleapis.com/token',
  };
}

describe('SEO: ingestion from Search Console and Ahrefs stand-ins, history, analysis', () => {
  let platform: Platform;
  let gsc: StandIn;
  let tenant: Tenant;
  let writer: string;
  let reader: string;
  let db: Client;
  const key = serviceAccount();

  const control = (path: string, body: unknown, method = 'PUT') =>
    fetch(`${gsc.url}${path}`, { method, body: JSON.stringify(body) });
  const site = (property: string, data: Record<string, unknown>) =>
    control(`/control/gsc/sites/${encodeURIComponent(property)}`, data);
  const api = (token: string) => asUser(platform, token);

  async function createGsc(property: string): Promise<string> {
    const res = await api(writer)
      .post('/api/seo/sources')
      .send({ type: 'gsc', config: { property, credentials: key } })
      .expect(201);
    expect(JSON.stringify(res.body)).not.toContain('PRIVATE KEY');
    return res.body.id as string;
  }

  /** The ingestion once it has ended. */
  async function settled(id: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    return eventually(
      async () => {
        const res = await api(reader).get(`/api/seo/ingestions/${id}`).expect(200);
        expect(['succeeded', 'failed']).toContain(res.body.state);
        return res.body as Record<string, unknown>;
      },
      { timeoutMs, intervalMs: 250 },
    );
  }

  /** The latest ingestion of a source once ended (its first run starts at creation). */
  async function latest(sourceId: string): Promise<Record<string, unknown>> {
    const res = await api(reader).get(`/api/seo/ingestions?sourceId=${sourceId}&limit=1`).expect(200);
    return settled(res.body.items[0].id as string);
  }

  const metricCount = async (sourceId: string, extra = '') =>
    Number(
      (
        await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM keyword_metrics WHERE source_id = $1 ${extra}`,
          [sourceId],
        )
      ).rows[0]?.n,
    );

  beforeAll(async () => {
    gsc = await startSeoStandIn();
    platform = await Platform.start({
      services: ['seo'],
      seoEnv: {
        GSC_API_BASE_URL: gsc.url,
        GOOGLE_OAUTH_TOKEN_URL: `${gsc.url}/token`,
        AHREFS_API_BASE_URL: gsc.url,
        // Windows of 7 days; a new source backfills 2 months (16 in production) so the spec stays short.
        SEO_WINDOW_DAYS: '7',
        SEO_BACKFILL_MONTHS: '2',
        AHREFS_PAGE_ROWS: '100',
        SEO_MIN_IMPRESSIONS: '100',
        SEO_DROP_THRESHOLD: '3',
      },
    });
    tenant = await seedTenant(platform, 'seo');
    writer = await tenant.token('user_seo', ['seo:read', 'seo:write']);
    reader = await tenant.token('user_reader', ['seo:read']);
    db = new Client({ connectionString: platform.seoDb.url });
    await db.connect();
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await platform?.stop();
    await gsc?.close();
  });

  it('pages through 60,000 rows (3 pages of 25,000), stores exactly those, and a re-run changes nothing', async () => {
    // 6 days × 5,000 queries × 2 pages = 60,000 rows, the last 2 days fresh.
    await site('sc-domain:big.example', { queries: 5000, pagesPerQuery: 2, days: 6, freshDays: 2 });
    const sourceId = await createGsc('sc-domain:big.example');
    const first = await latest(sourceId);
    expect(first).toEqual(
      expect.objectContaining({ state: 'succeeded', rowsRead: 60_000, rowsStored: 60_000, rowsRejected: 0 }),
    );
    // The newest window holds all the data (3 pages: 25,000 + 25,000 + 10,000); the older, empty ones one call each.
    expect(first['pages']).toBeGreaterThanOrEqual(3);
    expect(await metricCount(sourceId)).toBe(60_000);
    expect(await metricCount(sourceId, `AND data_state = 'fresh'`)).toBe(20_000);
    // Tracking parameters and fragments are gone; queries are normalised.
    const pages = await db.query(
      `SELECT count(*)::int AS n FROM keyword_metrics WHERE page LIKE '%utm_%' OR page LIKE '%#%'`,
    );
    expect(pages.rows[0].n).toBe(0);
    const spaced = await db.query(`SELECT count(*)::int AS n FROM keywords WHERE query ~ '[A-Z]|  '`);
    expect(spaced.rows[0].n).toBe(0);

    const source = (await api(reader).get(`/api/seo/sources/${sourceId}`).expect(200)).body;
    expect(source.finalThrough).toBe(day(2));
    expect(JSON.stringify(source)).not.toMatch(/PRIVATE KEY|private_key/);

    // Run now: only the days not final yet (today and yesterday) are fetched again; nothing changed, nothing stored.
    const again = await api(writer).post('/api/seo/ingestions').send({ sourceId }).expect(202);
    const second = await settled(again.body.id as string);
    expect(second).toEqual(expect.objectContaining({ state: 'succeeded', rowsRead: 20_000, rowsStored: 0 }));
    expect(await metricCount(sourceId)).toBe(60_000);

    // A day later the fresh days are final: a run replaces them with the final figures.
    await site('sc-domain:big.example', { queries: 5000, pagesPerQuery: 2, days: 6, freshDays: 0 });
    const third = await settled(
      (await api(writer).post('/api/seo/ingestions').send({ sourceId }).expect(202)).body.id as string,
    );
    expect(third).toEqual(
      expect.objectContaining({ state: 'succeeded', rowsRead: 20_000, rowsStored: 20_000 }),
    );
    expect(await metricCount(sourceId, `AND data_state = 'fresh'`)).toBe(0);
    expect(await metricCount(sourceId)).toBe(60_000);
  }, 180_000);

  it('retries a 429 mid-way; a failure mid-way leaves no partial day and the history as it was', async () => {
    // 4 days × 9,000 queries, the last 3 fresh: each run re-reads 27,000 rows, two pages.
    const flaky = { queries: 9000, pagesPerQuery: 1, days: 4, freshDays: 3 };
    await site('https://www.flaky.example/', flaky);
    const sourceId = await createGsc('https://www.flaky.example/');
    expect(await latest(sourceId)).toEqual(
      expect.objectContaining({ state: 'succeeded', rowsStored: 36_000 }),
    );
    const rows = async () =>
      (
        await db.query(
          `SELECT keyword_id, date, page, clicks, data_state FROM keyword_metrics WHERE source_id = $1 ORDER BY 1, 2, 3`,
          [sourceId],
        )
      ).rows;

    // Rate limited on the second page: backed off and retried, the run succeeds.
    const calls = gsc.standIn.calls['gsc-query'] ?? 0;
    await control('/control/faults', { route: 'gsc-query', status: 429, afterCalls: calls + 1, times: 1 });
    const retried = await settled(
      (await api(writer).post('/api/seo/ingestions').send({ sourceId }).expect(202)).body.id as string,
    );
    expect(retried).toEqual(expect.objectContaining({ state: 'succeeded', rowsRead: 27_000, pages: 2 }));
    expect(gsc.standIn.calls['gsc-query']).toBe(calls + 3);

    // Now the second page fails for good (every retry too), after the first was read.
    const history = await rows();
    await site('https://www.flaky.example/', { ...flaky, freshDays: 0 });
    await control('/control/faults', {
      route: 'gsc-query',
      status: 500,
      afterCalls: (gsc.standIn.calls['gsc-query'] ?? 0) + 1,
      times: 100,
    });
    const failed = await settled(
      (await api(writer).post('/api/seo/ingestions').send({ sourceId }).expect(202)).body.id as string,
    );
    expect(failed).toEqual(
      expect.objectContaining({ state: 'failed', errorCode: 'provider', rowsRead: 25_000, rowsStored: 0 }),
    );
    expect(String(failed['error'])).toMatch(/GSC 500/);
    // The fresh days were not replaced by a part of the final ones: the history is as it was.
    expect(await rows()).toEqual(history);
    await control('/control/faults', {}, 'DELETE');
  }, 120_000);

  it('detects ranking drops once per keyword and window: a second analysis emits nothing', async () => {
    // 14 days, every 5th of 20 queries 6 places worse over the last 7.
    await site('sc-domain:drops.example', {
      queries: 20,
      pagesPerQuery: 1,
      days: 14,
      freshDays: 0,
      drop: { every: 5, days: 7, by: 6 },
    });
    const sourceId = await createGsc('sc-domain:drops.example');
    expect((await latest(sourceId))['state']).toBe('succeeded');
    const dropped = async () =>
      (
        await db.query<{ aggregate_id: string; payload: { query: string; windowEnd: string } }>(
          `SELECT aggregate_id, payload FROM outbox WHERE type = 'seo.keyword.dropped' AND domain_id = $1`,
          [tenant.domainId],
        )
      ).rows;
    const once = await dropped();
    expect(once.map((e) => e.payload.query).sort()).toEqual([
      'keyword 0',
      'keyword 10',
      'keyword 15',
      'keyword 5',
    ]);
    expect(new Set(once.map((e) => e.payload.windowEnd))).toEqual(new Set([day(0)]));

    // Run again: same window, same drops — nothing new told.
    const rerun = await settled(
      (await api(writer).post('/api/seo/ingestions').send({ sourceId }).expect(202)).body.id as string,
    );
    expect(rerun['state']).toBe('succeeded');
    expect(await dropped()).toHaveLength(4);

    // The keyword list sorts by change (the dropped ones last, worst first from the end), history per day with its URL.
    const worst = await api(reader)
      .get(`/api/seo/keywords?domainId=${tenant.domainId}&sort=change&limit=100`)
      .expect(200);
    const items = worst.body.items as { id: string; query: string; positionChange: number }[];
    const droppedIds = items.filter((k) => k.positionChange < -3).map((k) => k.query);
    expect(droppedIds.sort()).toEqual(['keyword 0', 'keyword 10', 'keyword 15', 'keyword 5']);
    const keyword = items.find((k) => k.query === 'keyword 5') as { id: string };
    const history = await api(reader).get(`/api/seo/keywords/${keyword.id}/history`).expect(200);
    expect(history.body.points).toHaveLength(14);
    expect(history.body.points[13]).toEqual(
      expect.objectContaining({
        date: day(0),
        url: 'https://drops.example/kw-5/p0',
        dataState: 'final',
        source: 'gsc',
      }),
    );
    expect(history.body.points[13].position - history.body.points[0].position).toBeGreaterThan(5);
  }, 120_000);

  it('Ahrefs: pages within the monthly unit budget and stops before exceeding it, saying so', async () => {
    await control(`/control/ahrefs/targets/${encodeURIComponent('budget.example')}`, {
      keywords: 450,
      costPerRow: 10,
    });
    // 100 rows a page at 10 units a row: 1,000 units a page; 2,500 allow two pages, not the third.
    const created = await api(writer)
      .post('/api/seo/sources')
      .send({
        type: 'ahrefs',
        config: {
          target: 'budget.example',
          apiKey: 'ahrefs_e2e_key_0123456789abcdef',
          monthlyUnitBudget: 2_500,
        },
      })
      .expect(201);
    expect(JSON.stringify(created.body)).not.toContain('ahrefs_e2e_key');
    const run = await latest(created.body.id as string);
    expect(run).toEqual(
      expect.objectContaining({
        state: 'failed',
        errorCode: 'budget',
        unitsSpent: 2_000,
        rowsRead: 200,
        rowsStored: 0,
      }),
    );
    expect(String(run['error'])).toMatch(/budget/);
    expect(await metricCount(created.body.id as string)).toBe(0);

    // A budget that fits: all 450 keywords stored as yesterday's snapshot.
    await control(`/control/ahrefs/targets/${encodeURIComponent('fits.example')}`, {
      keywords: 450,
      costPerRow: 1,
    });
    const fits = await api(writer)
      .post('/api/seo/sources')
      .send({
        type: 'ahrefs',
        config: {
          target: 'fits.example',
          apiKey: 'ahrefs_e2e_key_0123456789abcdef',
          monthlyUnitBudget: 100_000,
        },
      })
      .expect(201);
    const ok = await latest(fits.body.id as string);
    expect(ok).toEqual(
      expect.objectContaining({ state: 'succeeded', rowsRead: 450, rowsStored: 450, pages: 5 }),
    );
    const source = (await api(reader).get(`/api/seo/sources/${fits.body.id}`).expect(200)).body;
    expect(source.unitsSpentThisMonth).toBe(2_000 + 450);
  }, 120_000);

  it('refuses bad source configs with 400 problems naming the field, never echoing secrets', async () => {
    const bad = async (type: string, config: Record<string, unknown>, field: string) => {
      const res = await api(writer).post('/api/seo/sources').send({ type, config });
      expectProblem(res, 400);
      expect(JSON.stringify(res.body)).toContain(field);
      expect(JSON.stringify(res.body)).not.toMatch(/PRIVATE KEY|sk_live_secret_value/);
      return res;
    };
    await bad('gsc', { property: 'example.com', credentials: key }, 'config.property');
    await bad('gsc', { property: 'https://example.com', credentials: key }, 'config.property');
    await bad('gsc', { property: 'sc-domain:example.com', credentials: '{not json' }, 'config.credentials');
    await bad(
      'gsc',
      {
        property: 'sc-domain:example.com',
        credentials: { ...key, private_key: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' },
      },
      'config.credentials',
    );
    await bad('ahrefs', { target: 'example.com', apiKey: 'sk_live_secret_value!' }, 'config.apiKey');
    await bad(
      'ahrefs',
      { target: 'not a domain', apiKey: 'ahrefs_e2e_key_0123456789abcdef' },
      'config.target',
    );
    await bad(
      'ahrefs',
      { target: 'example.com', apiKey: 'ahrefs_e2e_key_0123456789abcdef', extra: 1 },
      'config.extra',
    );
    // A property the credentials cannot read: refused before anything is stored.
    const unknown = await api(writer)
      .post('/api/seo/sources')
      .send({ type: 'gsc', config: { property: 'sc-domain:not-mine.example', credentials: key } });
    expectProblem(unknown, 422);
    expect(unknown.body.detail).toMatch(/403/);
    // A reader may not connect sources; another org sees nothing of this one's.
    expectProblem(await api(reader).post('/api/seo/sources').send({ type: 'gsc', config: {} }), 403);
    const other = await seedTenant(platform, 'seo-other');
    const sources = await api(writer).get('/api/seo/sources').expect(200);
    const someId = sources.body.items[0].id as string;
    const outsider = await other.token('user_x', ['seo:read', 'seo:write']);
    expectProblem(await api(outsider).get(`/api/seo/sources/${someId}`), 404);
    expectProblem(await api(outsider).post('/api/seo/ingestions').send({ sourceId: someId }), 404);
    expect((await api(outsider).get('/api/seo/keywords').expect(200)).body.items).toEqual([]);
  }, 60_000);

  it('pauses the sources of a suspended domain (no run now, no schedule) and resumes them with it', async () => {
    const sources = (await api(reader).get('/api/seo/sources?limit=100').expect(200)).body.items as {
      id: string;
      paused: boolean;
    }[];
    expect(sources.length).toBeGreaterThan(0);
    const queue = new Queue('seo-ingestions', {
      connection: { url: testInfra().redisUrl },
      prefix: bullPrefix(platform.prefix),
    });
    const scheduled = async () => Boolean(await queue.getJobScheduler(`source-${sources[0]!.id}`));
    expect(await scheduled()).toBe(true);
    await asUser(platform, tenant.admin).post(`/api/domains/${tenant.domainId}/suspend`).expect(200);
    await eventually(async () => {
      const now = (await api(reader).get(`/api/seo/sources/${sources[0]!.id}`).expect(200)).body;
      expect(now.paused).toBe(true);
      expect(await scheduled()).toBe(false);
    });
    const refused = await api(writer).post('/api/seo/ingestions').send({ sourceId: sources[0]!.id });
    expectProblem(refused, 422);
    expect(refused.body.detail).toMatch(/suspended/);
    await asUser(platform, tenant.admin).post(`/api/domains/${tenant.domainId}/resume`).expect(200);
    await eventually(async () => {
      const now = (await api(reader).get(`/api/seo/sources/${sources[0]!.id}`).expect(200)).body;
      expect(now.paused).toBe(false);
      expect(await scheduled()).toBe(true);
    });
    await queue.close();
    const run = await api(writer).post('/api/seo/ingestions').send({ sourceId: sources[0]!.id }).expect(202);
    expect(['queued', 'running', 'succeeded']).toContain(run.body.state);
    await settled(run.body.id as string);
  }, 60_000);

  it('the console page: sources, the keyword table with change arrows, a keyword’s position chart', async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({
        baseURL: platform.url,
        viewport: { width: 1280, height: 860 },
      });
      const cookie = await devSession(platform, {
        orgId: tenant.orgId,
        userId: 'user_console',
        permissions: ['org:admin', 'seo:read', 'seo:write'],
      });
      const [name, value] = cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: platform.url }]);
      const page = await context.newPage();
      await page.goto('/seo');
      await page.getByRole('heading', { name: 'SEO', exact: true }).waitFor();
      await page.getByText('sc-domain:drops.example').first().waitFor();
      await page.getByRole('button', { name: 'Test' }).first().click();
      await page
        .getByText(/readable|key accepted/)
        .first()
        .waitFor();
      // The drops: worst change first when sorted by change, with a down arrow.
      await page.getByRole('combobox', { name: 'Sort by' }).click();
      await page.getByRole('option', { name: 'Change', exact: true }).click();
      await page.getByRole('textbox', { name: 'Search' }).fill('keyword 1');
      const keyword = page.getByRole('button', { name: /^keyword 1/ }).first();
      await keyword.click();
      await page.getByRole('img', { name: 'Average position per day (1 at the top)' }).waitFor();
      await page.getByText(/^Ranking URL: https:\/\//).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      const screenshots = join(WORKSPACE_ROOT, 'docs/screenshots');
      mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: join(screenshots, 'seo.png'), fullPage: true });
      await context.close();
    } finally {
      await browser.close();
    }
  }, 90_000);
});
