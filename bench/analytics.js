#!/usr/bin/env node
// Benchmark (not a test), in one run on one stack:
//  1. ingestion: N signed events on `analytics-events` → the usage batcher →
//     events_raw, in events/s; beside a raw `COPY` (pg-copy-streams) of the
//     same rows into a plain copy of events_raw in the same PostgreSQL; and
//     the two ways a batch could be written (multi-row insert from arrays,
//     which the batcher uses, and COPY into a staging table + INSERT … ON
//     CONFLICT), rows/s each.
//  2. rollup time for M raw events (default 10M, 29 days, 20 orgs × 5 domains × 4 metrics).
//  3. reports through the gateway at that size (plus a year of daily and 90
//     days of hourly figures): p99 of a 1-year daily and a 90-day hourly
//     report, beside the same SQL straight on PostgreSQL.
//   node bench/analytics.js [--events 50000] [--raw 10000000] [--duration 10] [--connections 16]
'use strict';

const { join } = require('node:path');
const { writeFileSync, mkdirSync } = require('node:fs');
const { randomUUID } = require('node:crypto');
const { pipeline } = require('node:stream/promises');
const { Readable } = require('node:stream');
const { parseArgs } = require('node:util');

const { Queue } = require('bullmq');
const { Client, Pool } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');

const stack = require('../tools/stack/local-stack');
const system = require('../tools/stack/system');
const { loop, startGateway, startService, table, waitOk, tokenSigner } = require('./lib');

// The services' own code, for signing events as content's relay does and for running a rollup in-process.
process.env.SWC_NODE_PROJECT = join(__dirname, '../tsconfig.base.json');
require('@swc-node/register');
const {
  MessageKeys,
  sealEvent,
  sealEventBatch,
  bullPrefix,
  EVENT_JOB_OPTIONS,
} = require('../libs/messaging/src');
const { Database, systemScope } = require('../libs/persistence/src');
const { RollupsSystem } = require('../apps/analytics/src/rollups/rollups.system');

const GATEWAY = 'http://127.0.0.1:3200';
const ORGS = 20;
const DOMAINS = 5;
const RAW_METRICS = ['content.created', 'content.updated', 'publishing.attempts', 'api.requests'];
const DAY = 86_400_000;
const HOUR = 3_600_000;

const seconds = (since) => (Date.now() - since) / 1000;

async function main() {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '50000' },
      raw: { type: 'string', default: '10000000' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '16' },
    },
  });
  const events = Number(values.events);
  const rawEvents = Number(values.raw);
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const settings = stack.stackSettings('bench');
  const infra = stack.startInfrastructure(settings);
  const processes = [];
  let db;
  let pool;
  try {
    stack.buildApps();
    await infra.ready();
    stack.migrateAll(infra);
    const keys = system.ensureDevKeys(settings.dir);
    const url = infra.databaseUrl('analytics');
    db = new Client({ connectionString: url });
    await db.connect();
    pool = new Pool({ connectionString: url, max: 4 });
    // A clean slate: earlier runs' rows would change every figure.
    await db.query(`TRUNCATE events_raw, usage_hourly, usage_daily, usage_monthly, rollup_dirty`);

    processes.push(
      startService(infra, 'analytics', 3207, {
        extra: {
          // Rollups run when this bench says so; reports read the database every time (no cache).
          ANALYTICS_ROLLUP_EVERY_MS: '3600000',
          ANALYTICS_MAINTENANCE_EVERY_MS: '3600000',
          ANALYTICS_REPORT_CACHE_TTL_MS: '0',
        },
      }),
    );
    processes.push(startGateway(infra, keys, ['analytics']));
    await waitOk('http://127.0.0.1:3207/health/ready');
    await waitOk(`${GATEWAY}/api/health`);

    // 1. Ingestion.
    const env = infra.messageEnv('content');
    const contentKeys = MessageKeys.parse('content', env.MESSAGE_SIGNING_KEY, env.MESSAGE_TRUSTED_KEYS);
    const queue = new Queue('analytics-events', {
      connection: { url: infra.redisUrl },
      prefix: bullPrefix('smartbeak'),
    });
    const eventsOf = (org, n) =>
      Array.from({ length: n }, (_, i) =>
        sealEvent(contentKeys, {
          id: randomUUID(),
          type: 'content.item.created',
          aggregateId: randomUUID(),
          orgId: org,
          domainId: null,
          occurredAt: new Date(Date.now() - (i % 600) * 1000).toISOString(),
          payload: { actor: 'user_bench' },
          version: 1,
        }),
      );
    const stored = async (org) =>
      (await db.query(`SELECT count(*)::int AS n FROM events_raw WHERE org_id = $1`, [org])).rows[0].n;
    const ingest = async (org, n) => {
      const batch = eventsOf(org, n);
      const started = Date.now();
      for (let i = 0; i < n; i += 5_000) {
        await queue.addBulk(
          batch.slice(i, i + 5_000).map((event) => ({
            name: event.type,
            data: event,
            opts: { ...EVENT_JOB_OPTIONS, jobId: event.id },
          })),
        );
      }
      while ((await stored(org)) < n) await new Promise((r) => setTimeout(r, 50));
      return { batch, seconds: seconds(started) };
    };
    /** As an outbox relay delivers to analytics: one job per relay batch (200 events), one seal per job. */
    const ingestBatched = async (org, n) => {
      const batch = eventsOf(org, n);
      const started = Date.now();
      const jobs = [];
      for (let i = 0; i < n; i += 200) {
        const part = batch.slice(i, i + 200);
        jobs.push({
          name: 'event-batch',
          data: sealEventBatch(contentKeys, part),
          opts: { ...EVENT_JOB_OPTIONS, jobId: `batch-${part[0].id}` },
        });
      }
      for (let i = 0; i < jobs.length; i += 50) await queue.addBulk(jobs.slice(i, i + 50));
      while ((await stored(org)) < n) await new Promise((r) => setTimeout(r, 50));
      return { batch, seconds: seconds(started) };
    };
    process.stdout.write('warming up…\n');
    await ingest('org_bench_warm', 5_000);
    await ingestBatched('org_bench_warm_batched', 5_000);
    const flow = await ingest('org_bench_ingest', events);
    const batchedFlow = await ingestBatched('org_bench_ingest_batched', events);

    // The same rows, as the batcher writes them, straight into PostgreSQL.
    const rowsOf = (batch) =>
      batch.map((e) => [e.id, e.occurredAt, `${e.orgId}_copy`, null, 'content.created', '', 1]);
    const tsv = (rows) =>
      Readable.from(
        (function* () {
          for (let i = 0; i < rows.length; i += 1000) {
            yield (
              rows
                .slice(i, i + 1000)
                .map((r) => r.map((v) => (v === null ? '\\N' : String(v))).join('\t'))
                .join('\n') + '\n'
            );
          }
        })(),
      );
    await db.query(`DROP TABLE IF EXISTS bench_copy`);
    await db.query(`CREATE TABLE bench_copy (LIKE events_raw INCLUDING DEFAULTS INCLUDING INDEXES)`);
    const copyRows = rowsOf(flow.batch);
    let started = Date.now();
    await pipeline(tsv(copyRows), db.query(copyFrom(`COPY bench_copy FROM STDIN`)));
    const copySeconds = seconds(started);

    // Two ways to write a batcher's batch (500 events) with the dedupe of the raw key.
    const freshRows = (tag) =>
      copyRows.map((r) => [randomUUID(), r[1], `org_bench_${tag}`, r[3], r[4], r[5], r[6]]);
    const byArrays = freshRows('arrays');
    started = Date.now();
    for (let i = 0; i < byArrays.length; i += 500) {
      const part = byArrays.slice(i, i + 500);
      await db.query(
        `INSERT INTO events_raw (event_id, occurred_at, org_id, domain_id, metric, dimension, value)
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::varchar[], $4::uuid[], $5::varchar[], $6::varchar[], $7::bigint[])
         ON CONFLICT DO NOTHING`,
        [0, 1, 2, 3, 4, 5, 6].map((c) => part.map((r) => r[c])),
      );
    }
    const arraysSeconds = seconds(started);
    const byCopy = freshRows('staged');
    started = Date.now();
    for (let i = 0; i < byCopy.length; i += 500) {
      await db.query('BEGIN');
      await db.query(`CREATE TEMP TABLE staging (LIKE events_raw) ON COMMIT DROP`);
      await pipeline(tsv(byCopy.slice(i, i + 500)), db.query(copyFrom(`COPY staging FROM STDIN`)));
      await db.query(`INSERT INTO events_raw SELECT * FROM staging ON CONFLICT DO NOTHING`);
      await db.query('COMMIT');
    }
    const stagedSeconds = seconds(started);
    const perSecond = (n, s) => Math.round(n / s);
    const ingestion = [
      {
        path: 'raw COPY into a plain copy of events_raw',
        events,
        'events/s': perSecond(events, copySeconds),
      },
      {
        path: 'relay batches (200, one seal) → batcher',
        events,
        'events/s': perSecond(events, batchedFlow.seconds),
      },
      {
        path: 'single signed events → batcher',
        events,
        'events/s': perSecond(events, flow.seconds),
      },
      { path: 'batch writes: multi-row insert (kept)', events, 'events/s': perSecond(events, arraysSeconds) },
      {
        path: 'batch writes: COPY to staging + insert',
        events,
        'events/s': perSecond(events, stagedSeconds),
      },
    ].map((row) => ({
      ...row,
      'of raw COPY': `${Math.round((row['events/s'] / perSecond(events, copySeconds)) * 100)} %`,
    }));
    process.stdout.write(`${table(ingestion)}\n`);
    await queue.close();

    // 2. M raw events over 29 days, every hour marked, then one rollup run.
    const now = Date.now();
    const firstDay = Math.floor((now - 29 * DAY) / DAY) * DAY;
    for (let day = firstDay; day <= now + DAY; day += DAY) {
      const name = `events_raw_${new Date(day).toISOString().slice(0, 10).replace(/-/g, '')}`;
      await db.query(
        `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF events_raw FOR VALUES FROM ('${new Date(day).toISOString()}') TO ('${new Date(day + DAY).toISOString()}')`,
      );
    }
    const domains = Array.from({ length: ORGS * DOMAINS }, () => randomUUID());
    started = Date.now();
    const chunk = 1_000_000;
    const span = now - HOUR - (now - 29 * DAY); // up to the last full hour
    for (let done = 0; done < rawEvents; done += chunk) {
      const n = Math.min(chunk, rawEvents - done);
      await db.query(
        `INSERT INTO events_raw (event_id, occurred_at, org_id, domain_id, metric, dimension, value)
         SELECT gen_random_uuid(), to_timestamp(($1::float8 + (i::float8 / $2) * $3) / 1000),
                'org_bench_' || (i % ${ORGS}), ($4::uuid[])[1 + (i % ${ORGS * DOMAINS})],
                ($5::varchar[])[1 + (i / 7) % ${RAW_METRICS.length}], '', 1
           FROM generate_series($6::bigint, $6::bigint + $7 - 1) AS i`,
        [now - 29 * DAY, rawEvents, span, domains, RAW_METRICS, done, n],
      );
    }
    const loadSeconds = seconds(started);
    await db.query(
      `INSERT INTO rollup_dirty (tier, bucket)
       SELECT 'hour', h FROM generate_series(date_trunc('hour', now() - interval '29 days', 'UTC'), now() - interval '1 hour', interval '1 hour') AS h
       ON CONFLICT DO NOTHING`,
    );
    await db.query('ANALYZE');
    const database = new Database(pool);
    started = Date.now();
    const result = await new RollupsSystem(database).run(systemScope('bench'));
    const rollupSeconds = seconds(started);
    const check = (
      await db.query(
        `SELECT (SELECT sum(value) FROM usage_monthly WHERE org_id ~ '^org_bench_[0-9]+$')::bigint AS monthly`,
      )
    ).rows[0];
    const rollup = [
      {
        'raw events': rawEvents.toLocaleString('en'),
        'load s': loadSeconds.toFixed(1),
        hours: result.hour,
        days: result.day,
        months: result.month,
        'rollup s': rollupSeconds.toFixed(1),
        'raw events/s rolled': Math.round(rawEvents / rollupSeconds).toLocaleString('en'),
        'monthly sum = raw': String(Number(check.monthly) === rawEvents),
      },
    ];
    process.stdout.write(`${table(rollup)}\n`);

    // 3. A year of daily and 90 days of hourly figures beyond what the raw rows made, then report latency.
    await db.query(
      `INSERT INTO usage_daily (org_id, domain_id, metric, dimension, bucket, value)
       SELECT 'org_bench_' || o, ($1::uuid[])[1 + o * ${DOMAINS} + d], m, '', b, 10 + (o + d) % 7
         FROM generate_series(0, ${ORGS - 1}) o, generate_series(0, ${DOMAINS - 1}) d, unnest($2::varchar[]) m,
              generate_series(date_trunc('day', now() - interval '365 days', 'UTC'), now() - interval '30 days', interval '1 day') b
       ON CONFLICT DO NOTHING`,
      [domains, RAW_METRICS],
    );
    await db.query(
      `INSERT INTO usage_hourly (org_id, domain_id, metric, dimension, bucket, value)
       SELECT 'org_bench_' || o, ($1::uuid[])[1 + o * ${DOMAINS} + d], m, '', b, 1 + (o + d) % 5
         FROM generate_series(0, ${ORGS - 1}) o, generate_series(0, ${DOMAINS - 1}) d, unnest($2::varchar[]) m,
              generate_series(date_trunc('hour', now() - interval '90 days', 'UTC'), now() - interval '30 days', interval '1 hour') b
       ON CONFLICT DO NOTHING`,
      [domains, RAW_METRICS],
    );
    // As autovacuum would leave them: the visibility map current, so reports read the index alone.
    await db.query('VACUUM ANALYZE usage_hourly, usage_daily, usage_monthly');
    const sizes = (
      await db.query(
        `SELECT (SELECT count(*) FROM events_raw)::int AS raw, (SELECT count(*) FROM usage_hourly)::int AS hourly,
                (SELECT count(*) FROM usage_daily)::int AS daily, (SELECT count(*) FROM usage_monthly)::int AS monthly`,
      )
    ).rows[0];

    const sign = await tokenSigner(keys.privatePath);
    const tokens = await Promise.all(
      Array.from({ length: ORGS }, (_, o) =>
        sign({ org_id: `org_bench_${o}`, permissions: ['analytics:read'] }),
      ),
    );
    const reports = [
      ['1-year daily, 2 metrics', 'day', 365, 'content.created,content.updated'],
      ['90-day hourly, 2 metrics', 'hour', 90, 'content.created,content.updated'],
    ];
    const latency = [];
    for (const [what, granularity, days, metrics] of reports) {
      const path = () =>
        `/api/analytics/usage?metric=${metrics}&granularity=${granularity}&from=${new Date(Date.now() - days * DAY).toISOString()}&to=${new Date().toISOString()}`;
      const send = async (worker) => {
        const o = worker % ORGS;
        const res = await fetch(`${GATEWAY}${path()}`, {
          headers: { authorization: `Bearer ${tokens[o]}` },
        });
        await res.arrayBuffer();
        return res.ok;
      };
      await loop({ connections, duration: 2, send }); // warm
      const one = await loop({ connections: 1, duration, send });
      const r = await loop({ connections, duration, send });
      // The same query, straight on PostgreSQL (the baseline: no gateway, no RPC, no JSON).
      const table_ = granularity === 'day' ? 'usage_daily' : 'usage_hourly';
      const sqlSend = async (worker) => {
        await pool.query(
          `SELECT metric, bucket, sum(value)::float8 AS value FROM ${table_}
            WHERE org_id = $1 AND metric = ANY($2) AND bucket >= $3 AND bucket < $4 GROUP BY metric, bucket`,
          [`org_bench_${worker % ORGS}`, metrics.split(','), new Date(Date.now() - days * DAY), new Date()],
        );
        return true;
      };
      const raw = await loop({ connections: 1, duration: Math.max(3, duration / 2), send: sqlSend });
      latency.push({
        report: what,
        path: 'gateway → analytics, 1 conn',
        'req/s': one.reqPerSec,
        p50: one.p50,
        p99: one.p99,
        failed: one.failed,
      });
      latency.push({
        report: what,
        path: `gateway → analytics, ${connections} conns`,
        'req/s': r.reqPerSec,
        p50: r.p50,
        p99: r.p99,
        failed: r.failed,
      });
      latency.push({
        report: what,
        path: 'the SQL alone, 1 conn',
        'req/s': raw.reqPerSec,
        p50: raw.p50,
        p99: raw.p99,
        failed: raw.failed,
      });
    }
    process.stdout.write(
      `\nanalytics, ${events} events ingested, ${rawEvents.toLocaleString('en')} raw events rolled up\n\n` +
        `ingestion\n\n${table(ingestion)}\n\nrollup (one run over every hour)\n\n${table(rollup)}\n\n` +
        `tables: ${JSON.stringify(sizes)}\n\nreports, ${connections} connections, ${duration} s each (ms)\n\n${table(latency)}\n\n`,
    );
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(
      join(__dirname, 'results/analytics.json'),
      JSON.stringify(
        { at: new Date().toISOString(), events, rawEvents, ingestion, rollup, sizes, latency },
        null,
        2,
      ),
    );
  } finally {
    await db?.end().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    for (const child of processes) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1_000));
    infra.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
