#!/usr/bin/env node
// Benchmark (not a test), in one run on one stack:
//  1. ingestion: a Search Console stand-in (tools/stack/seo-standin.js) with
//     N rows (default 150,000: 5 days × 15,000 queries × 2 pages) → one
//     ingestion of the seo service (pages of 25,000, normalise, one
//     transaction per window, analysis), rows stored per second; beside a raw
//     `COPY` of the same rows into a copy of keyword_metrics (same indexes) in
//     the same PostgreSQL.
//  2. reads through the gateway with M metric rows (default 1,000,000:
//     20,000 keywords × 50 days) plus 100 keywords with 16 months each: p50 /
//     p99 of the keyword list (by clicks, by change, a search) and of a
//     keyword's 16-month history, beside the same SQL straight on PostgreSQL.
//   node bench/seo.js [--rows 150000] [--metrics 1000000] [--duration 10] [--connections 8]
'use strict';

const { join } = require('node:path');
const { writeFileSync, mkdirSync } = require('node:fs');
const { generateKeyPairSync, randomUUID } = require('node:crypto');
const { pipeline } = require('node:stream/promises');
const { parseArgs } = require('node:util');

const { Queue } = require('bullmq');
const { Client, Pool } = require('pg');
const { from: copyFrom, to: copyTo } = require('pg-copy-streams');

const stack = require('../tools/stack/local-stack');
const system = require('../tools/stack/system');
const { startSeoStandIn } = require('../tools/stack/seo-standin');
const { loop, startGateway, startService, table, waitOk, tokenSigner } = require('./lib');

process.env.SWC_NODE_PROJECT = join(__dirname, '../tsconfig.base.json');
require('@swc-node/register');
const { bullPrefix } = require('../libs/messaging/src');
const { CredentialVault } = require('../libs/persistence/src');

const GATEWAY = 'http://127.0.0.1:3200';
const ORG = 'org_bench_seo';
const seconds = (since) => (Date.now() - since) / 1000;

async function main() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '150000' },
      metrics: { type: 'string', default: '1000000' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '8' },
    },
  });
  const rows = Number(values.rows);
  const metricRows = Number(values.metrics);
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const settings = stack.stackSettings('bench');
  const infra = stack.startInfrastructure(settings);
  const gsc = await startSeoStandIn();
  const processes = [];
  let db;
  let pool;
  try {
    stack.buildApps();
    await infra.ready();
    stack.migrateAll(infra);
    const keys = system.ensureDevKeys(settings.dir);
    const service = stack.SERVICES.find((s) => s.name === 'seo');
    const env = stack.serviceEnv(service, infra, {});
    const url = infra.databaseUrl('seo');
    db = new Client({ connectionString: url });
    await db.connect();
    pool = new Pool({ connectionString: url, max: 4 });
    await db.query(`TRUNCATE seo_sources, ingestions, keywords, keyword_metrics, analysis_signals CASCADE`);

    processes.push(
      startService(infra, 'seo', 3208, {
        extra: {
          GSC_API_BASE_URL: gsc.url,
          GOOGLE_OAUTH_TOKEN_URL: `${gsc.url}/token`,
          AHREFS_API_BASE_URL: gsc.url,
          SEO_BACKFILL_MONTHS: '1',
          SEO_WINDOW_DAYS: '7',
          GSC_MIN_INTERVAL_MS: '0',
          // The run's own account of where its time went (fetch, normalise, write, analyse).
          LOG_LEVEL: 'info',
        },
      }),
    );
    const seoProcess = processes[0];
    processes.push(startGateway(infra, keys, ['seo']));
    await waitOk('http://127.0.0.1:3208/health/ready');
    await waitOk(`${GATEWAY}/api/health`);

    // 1. Ingestion: a source (as the API would store it, without control-plane) and one run.
    const queries = Math.ceil(rows / 10);
    const property = 'sc-domain:bench.example';
    await fetch(`${gsc.url}/control/gsc/sites/${encodeURIComponent(property)}`, {
      method: 'PUT',
      body: JSON.stringify({ queries, pagesPerQuery: 2, days: 5, freshDays: 0 }),
    });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const credentials = {
      type: 'service_account',
      client_email: 'bench@bench.iam.gserviceaccount.com',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    const vault = new CredentialVault(env.SEO_ENCRYPTION_KEYS);
    const sourceId = randomUUID();
    const domainId = randomUUID();
    await db.query(
      `INSERT INTO seo_sources (id, org_id, domain_id, type, name, external, settings, secret, created_by)
       VALUES ($1, $2, $3, 'gsc', $4, $4, $5, $6, 'user_bench')`,
      [
        sourceId,
        ORG,
        domainId,
        property,
        JSON.stringify({ property }),
        vault.seal({ credentials }, { orgId: ORG, rowId: sourceId }),
      ],
    );
    const queue = new Queue('seo-ingestions', {
      connection: { url: infra.redisUrl },
      prefix: bullPrefix('smartbeak'),
    });
    const runOnce = async () => {
      const { rows: created } = await db.query(
        `INSERT INTO ingestions (org_id, domain_id, source_id, trigger) VALUES ($1, $2, $3, 'manual') RETURNING id`,
        [ORG, domainId, sourceId],
      );
      const id = created[0].id;
      const started = Date.now();
      await queue.add('run', { ingestionId: id }, { jobId: id });
      for (;;) {
        const { rows: state } = await db.query(
          `SELECT state, rows_stored, rows_read, error FROM ingestions WHERE id = $1`,
          [id],
        );
        if (state[0].state === 'succeeded' || state[0].state === 'failed')
          return { ...state[0], seconds: seconds(started) };
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    process.stdout.write('ingesting…\n');
    const run = await runOnce();
    if (run.state !== 'succeeded') throw new Error(`the ingestion failed: ${run.error}`);
    await new Promise((r) => setTimeout(r, 200));
    const phases = /ms (\{[^}]*\})/.exec(
      seoProcess.output
        .join('')
        .split('\n')
        .filter((l) => l.includes('succeeded'))
        .pop() ?? '',
    );
    process.stdout.write(`the run's phases (ms): ${phases ? phases[1] : 'not logged'}\n`);

    // The raw baseline: the stored rows, COPY'd out and into a copy of the table with the same indexes.
    await db.query(`DROP TABLE IF EXISTS bench_copy`);
    await db.query(`CREATE TABLE bench_copy (LIKE keyword_metrics INCLUDING DEFAULTS INCLUDING INDEXES)`);
    const out = new Client({ connectionString: url });
    await out.connect();
    let started = Date.now();
    await pipeline(
      out.query(copyTo(`COPY (SELECT * FROM keyword_metrics WHERE source_id = '${sourceId}') TO STDOUT`)),
      db.query(copyFrom(`COPY bench_copy FROM STDIN`)),
    );
    const copySeconds = seconds(started);
    await out.end();
    await db.query(`DROP TABLE bench_copy`);
    const ingestion = [
      {
        path: 'GSC stand-in → seo (fetch, normalise, write, analyse)',
        rows: run.rows_stored,
        seconds: run.seconds.toFixed(2),
        'rows/s': Math.round(run.rows_stored / run.seconds),
      },
      {
        path: 'raw COPY of the same rows (same indexes)',
        rows: run.rows_stored,
        seconds: copySeconds.toFixed(2),
        'rows/s': Math.round(run.rows_stored / copySeconds),
      },
    ];
    ingestion.push({
      path: 'seo as a share of COPY',
      rows: '',
      seconds: '',
      'rows/s': `${Math.round((100 * copySeconds) / run.seconds)} %`,
    });
    process.stdout.write(`${table(ingestion)}\n`);

    // 2. Reads at size: synthetic keywords and rows for a second domain, then its summaries by the service's analysis.
    const bigDomain = randomUUID();
    const bigSource = randomUUID();
    await db.query(
      `INSERT INTO seo_sources (id, org_id, domain_id, type, name, external, settings, secret, created_by)
       VALUES ($1, $2, $3, 'gsc', 'sc-domain:big.example', 'sc-domain:big.example', '{}', 'x', 'user_bench')`,
      [bigSource, ORG, bigDomain],
    );
    const keywordCount = Math.round(metricRows / 50);
    started = Date.now();
    await db.query(
      `INSERT INTO keywords (org_id, domain_id, query)
       SELECT $1, $2, 'bench keyword ' || k FROM generate_series(0, $3 - 1) k`,
      [ORG, bigDomain, keywordCount],
    );
    await db.query(
      `INSERT INTO keyword_metrics (keyword_id, source_id, date, page, domain_id, clicks, impressions, ctr, position, data_state)
       SELECT k.id, $1, current_date - d, 'https://big.example/p/' || (hashtext(k.query) & 1023), $2,
              c, i, c::float8 / i, 1 + (abs(hashtext(k.query)) % 60) + (d % 7) * 0.3, 'final'
         FROM keywords k, generate_series(0, 49) d,
              LATERAL (SELECT 100 + (abs(hashtext(k.query || d)) % 900) AS i) imp,
              LATERAL (SELECT (imp.i * 0.05)::int AS c) cl
        WHERE k.domain_id = $2`,
      [bigSource, bigDomain],
    );
    // 100 keywords with 16 months each (the history read).
    await db.query(
      `INSERT INTO keyword_metrics (keyword_id, source_id, date, page, domain_id, clicks, impressions, ctr, position, data_state)
       SELECT k.id, $1, current_date - d, 'https://big.example/p/' || (hashtext(k.query) & 1023), $2, 5, 100, 0.05, 8, 'final'
         FROM (SELECT id, query FROM keywords WHERE domain_id = $2 ORDER BY query LIMIT 100) k, generate_series(50, 486) d`,
      [bigSource, bigDomain],
    );
    await db.query(`VACUUM ANALYZE keywords, keyword_metrics`);
    const seeded = seconds(started);
    // The summaries as the analysis makes them: one run over the domain, through the service's own class.
    const { AnalysisSystem } = require('../apps/seo/src/analysis/analysis.system');
    const { Database, systemScope } = require('../libs/persistence/src');
    const analysisPool = new Pool({ connectionString: url, max: 2 });
    started = Date.now();
    const analysed = await new AnalysisSystem(new Database(analysisPool), {
      SEO_MIN_IMPRESSIONS: 100,
      SEO_DROP_THRESHOLD: 3,
      SEO_MIN_PAGE_CLICKS: 20,
      SEO_PAGE_CLICK_LOSS: 0.3,
    }).run(systemScope('bench'), { orgId: ORG, domainId: bigDomain, sourceId: bigSource });
    const analysisSeconds = seconds(started);
    await analysisPool.end();
    const sizes = (
      await db.query(
        `SELECT (SELECT count(*) FROM keywords)::int AS keywords, (SELECT count(*) FROM keyword_metrics)::int AS metrics`,
      )
    ).rows[0];
    const history = (
      await db.query(`SELECT id FROM keywords WHERE domain_id = $1 ORDER BY query LIMIT 100`, [bigDomain])
    ).rows.map((r) => r.id);

    const sign = await tokenSigner(keys.privatePath);
    const token = await sign({ org_id: ORG, permissions: ['seo:read'] });
    const reads = [
      [
        'keywords by clicks, 50',
        () => `/api/seo/keywords?sort=clicks&limit=50`,
        `SELECT id FROM keywords WHERE org_id = $1 ORDER BY clicks DESC, id DESC LIMIT 51`,
      ],
      [
        'keywords by change, 50',
        () => `/api/seo/keywords?sort=change&limit=50`,
        `SELECT id FROM keywords WHERE org_id = $1 ORDER BY coalesce(position_change, -1e9) DESC, id DESC LIMIT 51`,
      ],
      [
        'keywords search "keyword 12"',
        () => `/api/seo/keywords?q=keyword%2012&limit=50`,
        `SELECT id FROM keywords WHERE org_id = $1 AND query LIKE '%keyword 12%' ORDER BY clicks DESC, id DESC LIMIT 51`,
      ],
    ];
    const latency = [];
    const measure = async (what, path, sqlSend) => {
      const send = async () => {
        const res = await fetch(`${GATEWAY}${path()}`, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        return res.ok;
      };
      await loop({ connections, duration: 2, send });
      const one = await loop({ connections: 1, duration, send });
      const many = await loop({ connections, duration, send });
      const raw = await loop({ connections: 1, duration: Math.max(3, duration / 2), send: sqlSend });
      latency.push({
        read: what,
        path: 'gateway → seo, 1 conn',
        'req/s': one.reqPerSec,
        p50: one.p50,
        p99: one.p99,
        failed: one.failed,
      });
      latency.push({
        read: what,
        path: `gateway → seo, ${connections} conns`,
        'req/s': many.reqPerSec,
        p50: many.p50,
        p99: many.p99,
        failed: many.failed,
      });
      latency.push({
        read: what,
        path: 'the SQL alone, 1 conn',
        'req/s': raw.reqPerSec,
        p50: raw.p50,
        p99: raw.p99,
        failed: raw.failed,
      });
    };
    for (const [what, path, sql] of reads) {
      await measure(what, path, async () => (await pool.query(sql, [ORG]), true));
    }
    let turn = 0;
    await measure(
      '16-month history of a keyword',
      () => `/api/seo/keywords/${history[turn++ % history.length]}/history`,
      async (worker) => {
        await pool.query(
          `SELECT date, sum(clicks), sum(impressions), sum(position * impressions) / sum(impressions), min(data_state)
             FROM keyword_metrics WHERE keyword_id = $1 AND date >= current_date - 487 GROUP BY date ORDER BY date`,
          [history[worker % history.length]],
        );
        return true;
      },
    );
    process.stdout.write(
      `\nseo: ${run.rows_stored} rows ingested; ${JSON.stringify(sizes)} (seeded in ${seeded.toFixed(1)} s); ` +
        `analysis of ${keywordCount} keywords in ${analysisSeconds.toFixed(2)} s (${analysed.keywordsRefreshed} refreshed)\n\n` +
        `ingestion\n\n${table(ingestion)}\n\nreads, ${duration} s each (ms)\n\n${table(latency)}\n\n`,
    );
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(
      join(__dirname, 'results/seo.json'),
      JSON.stringify(
        { at: new Date().toISOString(), rows, ingestion, sizes, analysisSeconds, latency },
        null,
        2,
      ),
    );
    await queue.close();
  } finally {
    await db?.end().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    for (const child of processes) child.kill('SIGTERM');
    await gsc.close();
    await new Promise((r) => setTimeout(r, 1_000));
    infra.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
