#!/usr/bin/env node
// Benchmark (not a test): publishing jobs per second end to end (accepted
// through the gateway → job completed) against a no-delay WordPress-shaped
// target, beside raw BullMQ (add → process, an empty processor) on the same
// Redis, in one run: single creates (POST /api/publishing/jobs) with one
// worker, then batches (POST /api/publishing/jobs/batch, 100 per request)
// with 1, 2 and 4 worker replicas; the accept rate apart; CPU per job of
// each process.
//   node bench/publishing.js [--jobs 2000] [--connections 32]
'use strict';

const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { cpus } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');

const { Queue, QueueEvents, Worker } = require('bullmq');
const { Client } = require('pg');

const stack = require('../tools/stack/local-stack');
const system = require('../tools/stack/system');
const {
  runBench,
  api: apiCall,
  cpuSeconds,
  pool,
  startGateway,
  startNode,
  startService,
  table,
  waitOk,
  tokenSigner,
} = require('./lib');

const GATEWAY = 'http://127.0.0.1:3200';
/** The processes whose CPU is reported: ours, PostgreSQL, Redis and the load generator. */
const MEASURED = /^(control-plane|content|publishing|gateway|no-delay|postgres|redis|bench)/;

async function main({ settings, infra, processes }) {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '2000' },
      connections: { type: 'string', default: '32' },
      scheduled: { type: 'string', default: '10000' },
    },
  });
  const jobs = Number(values.jobs);
  const connections = Number(values.connections);
  const scheduledJobs = Number(values.scheduled);
  const service = (name) => stack.SERVICES.find((s) => s.name === name);
  const keys = system.ensureDevKeys(settings.dir);
  const start = (name, port, args = [], extra = {}) => {
    const child = startService(infra, name, port, { args, extra });
    processes.push(child);
    return child;
  };
  const publishingEnv = {
    PUBLISHING_WORKER_CONCURRENCY: '32',
    OUTBOUND_ALLOWLIST: '127.0.0.1',
    OUTBOUND_ALLOW_HTTP: 'true',
  };
  start('control-plane', 3201);
  start('content', 3202);
  start('publishing', 3204, [], publishingEnv);
  const workers = [start('publishing', 3205, ['worker'], publishingEnv)];
  processes.push(startNode(join(__dirname, 'no-delay-target.js'), { PORT: '3297' }));
  processes.push(startGateway(infra, keys, ['control-plane', 'content', 'publishing']));
  const processName = [
    'control-plane',
    'content',
    'publishing api',
    'publishing worker 1',
    'no-delay target',
    'gateway',
  ];
  for (const port of [3201, 3202, 3204, 3205]) await waitOk(`http://127.0.0.1:${port}/health/ready`);
  await waitOk(`${GATEWAY}/api/health`);

  const sign = await tokenSigner(keys.privatePath);
  const admin = await sign({ org_id: 'org_pub_bench', permissions: ['org:admin'] });
  const domainId = (
    await api('POST', '/api/domains', admin, { name: 'pub', hostname: `pub-${Date.now()}.bench.example` })
  ).id;
  const token = await sign({
    org_id: 'org_pub_bench',
    domain_id: domainId,
    permissions: ['content:read', 'content:write', 'content:review', 'content:publish', 'publishing:write'],
  });
  // One target per run: each run publishes the same items to a destination of its own.
  const RUNS = 4;
  const targets = [];
  for (let r = 0; r < RUNS; r++) {
    targets.push(
      await api('POST', '/api/publishing/targets', token, {
        type: 'wordpress',
        name: `no-delay-${r}`,
        autoPublish: false,
        config: { baseUrl: 'http://127.0.0.1:3297', username: 'bench', applicationPassword: 'bench' },
      }),
    );
  }
  process.stdout.write(`making ${jobs} content items…\n`);
  const items = await pool(
    Array.from({ length: jobs }, (_, i) => i),
    connections,
    async (i) => {
      const item = await api('POST', '/api/content', token, {
        title: `Bench item ${i}`,
        body: '<p>bench</p>',
      });
      await api('POST', `/api/content/${item.id}/transitions`, token, { to: 'review', version: 1 });
      return item.id;
    },
  );

  const db = new Client({ connectionString: infra.databaseUrl(service('publishing').database) });
  await db.connect();
  const finished = await queueFinished(infra, db);
  const names = () => new Map(processes.map((child, i) => [child.pid, processName[i] ?? `process ${i}`]));
  /** Submits `contentIds` to `target` (singly or in batches of 100), then waits for every job to end. */
  const endToEnd = async (label, target, { batch }) => {
    const cpuBefore = cpuSeconds(names());
    const started = Date.now();
    let ids;
    if (batch) {
      const chunks = [];
      for (let i = 0; i < items.length; i += 100) chunks.push(items.slice(i, i + 100));
      const answers = await pool(chunks, 4, (chunk) =>
        api('POST', '/api/publishing/jobs/batch', token, {
          jobs: chunk.map((contentId) => ({ contentId, targetIds: [target.id] })),
        }),
      );
      ids = answers.flatMap((answer) =>
        answer.items.map((item) => {
          if (!item.job) throw new Error(`batch item refused: ${JSON.stringify(item.problem)}`);
          return item.job.id;
        }),
      );
    } else {
      ids = await pool(
        items,
        connections,
        async (contentId) =>
          (await api('POST', '/api/publishing/jobs', token, { contentId, targetIds: [target.id] })).id,
      );
    }
    const accepted = Date.now();
    await finished.untilAll(ids);
    const seconds = (finished.lastAt - started) / 1000;
    const cpuAfter = cpuSeconds(names());
    const { rows } = await db.query(
      `SELECT count(*) FILTER (WHERE state IN ('completed', 'failed'))::int AS done, count(*) FILTER (WHERE state = 'failed')::int AS failed FROM publishing_jobs WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    if (rows[0].done !== ids.length)
      throw new Error(`${label}: ${ids.length - rows[0].done} jobs not finished`);
    const cpu = {};
    for (const [group, used] of Object.entries(cpuAfter)) {
      const ms = ((used - (cpuBefore[group] ?? 0)) * 1000) / ids.length;
      if (ms >= 0.05 && MEASURED.test(group)) cpu[group] = Number(ms.toFixed(2));
    }
    cpuRows.push({ path: label, ...cpu });
    return {
      path: label,
      jobs: ids.length,
      'jobs/s': Math.round(ids.length / seconds),
      seconds: seconds.toFixed(1),
      'accept/s': Math.round(ids.length / ((accepted - started) / 1000)),
      failed: rows[0].failed,
    };
  };
  const cpuRows = [];

  const rawBullmq = async () => {
    const connection = { url: infra.redisUrl, maxRetriesPerRequest: null };
    const queue = new Queue('bench-raw', { connection, prefix: 'bench:raw' });
    let processed = 0;
    let resolveDone;
    const done = new Promise((r) => (resolveDone = r));
    const worker = new Worker(
      'bench-raw',
      async () => {
        if (++processed === jobs) resolveDone();
      },
      { connection, prefix: 'bench:raw', concurrency: 32 },
    );
    await worker.waitUntilReady();
    const started = Date.now();
    await pool(
      Array.from({ length: jobs }, (_, i) => i),
      connections,
      (i) => queue.add('job', { i }, { removeOnComplete: true }),
    );
    const accepted = Date.now();
    await done;
    const seconds = (Date.now() - started) / 1000;
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    return {
      path: 'raw BullMQ add → process (empty)',
      jobs,
      'jobs/s': Math.round(jobs / seconds),
      seconds: seconds.toFixed(1),
      'accept/s': Math.round(jobs / ((accepted - started) / 1000)),
      failed: 0,
    };
  };

  /**
   * `count` jobs due within `spreadMs` (0: at one instant, an agency's 9:00), spaced evenly,
   * made through the batch API with the workers running: how late each job's first attempt
   * started (its `active` history row) after its scheduledFor, and whether any started early.
   */
  const scheduledAccuracy = async (count, spreadMs) => {
    const extra = [];
    for (let r = 0; r < Math.ceil(count / items.length); r++) {
      extra.push(
        await api('POST', '/api/publishing/targets', token, {
          type: 'wordpress',
          name: `no-delay-scheduled-${spreadMs}-${r}`,
          autoPublish: false,
          config: { baseUrl: 'http://127.0.0.1:3297', username: 'bench', applicationPassword: 'bench' },
        }),
      );
    }
    // Due once every batch is in at the measured accept rate, with room to spare.
    const due = new Date(Math.ceil((Date.now() + 15_000 + count) / 1000) * 1000);
    const bodies = Array.from({ length: count }, (_, i) => ({
      contentId: items[i % items.length],
      targetIds: [extra[Math.floor(i / items.length)].id],
      scheduledFor: new Date(due.getTime() + Math.floor((i * spreadMs) / count)).toISOString(),
    }));
    const chunks = [];
    for (let i = 0; i < bodies.length; i += 100) chunks.push(bodies.slice(i, i + 100));
    const answers = await pool(chunks, 4, (jobs) =>
      api('POST', '/api/publishing/jobs/batch', token, { jobs }),
    );
    const ids = answers.flatMap((answer) => answer.items.map((item) => item.job.id));
    const madeBy = Date.now();
    for (;;) {
      const { rows: done } = await db.query(
        `SELECT count(*)::int AS n FROM publishing_jobs WHERE id = ANY($1::uuid[]) AND state IN ('completed', 'failed')`,
        [ids],
      );
      if (done[0].n === ids.length) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const { rows: late } = await db.query(
      `SELECT extract(epoch FROM (f.first_at - j.scheduled_for)) * 1000 AS ms
         FROM publishing_jobs j
         JOIN LATERAL (SELECT min(e.at) AS first_at FROM job_events e WHERE e.job_id = j.id AND e.state = 'active') f ON true
        WHERE j.id = ANY($1::uuid[])`,
      [ids],
    );
    const sorted = late.map((r) => Number(r.ms)).sort((a, b) => a - b);
    const at = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
    return {
      path: `${count} jobs due ${spreadMs ? `within ${spreadMs / 1000} s` : 'at one instant'}, ${workers.length} workers`,
      jobs: count,
      'made s before due': ((due.getTime() - madeBy) / 1000).toFixed(1),
      'p50 late ms': at(0.5),
      'p99 late ms': at(0.99),
      'max late ms': at(1),
      early: sorted.filter((ms) => ms < 0).length,
    };
  };

  const rows = [];
  rows.push(await rawBullmq());
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  /** `run`, and the statements every database of the stack ran meanwhile, per job (pg_stat_statements). */
  const withStatements = async (run) => {
    await db.query('SELECT pg_stat_statements_reset()');
    const row = await run();
    const { rows: ran } = await db.query(
      `SELECT d.datname AS database, round(s.calls::numeric / $1, 2)::float AS "per job",
              round(s.total_exec_time::numeric / $1, 3)::float AS "ms per job",
              left(regexp_replace(s.query, '\\s+', ' ', 'g'), 100) AS query
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE s.query NOT LIKE '%pg_stat_statements%'
        ORDER BY s.total_exec_time DESC LIMIT 10`,
      [jobs],
    );
    return [row, ran];
  };
  const [single, singleStatements] = await withStatements(() =>
    endToEnd('API single → worker ×1 → target', targets[0], { batch: false }),
  );
  const [batched, statements] = await withStatements(() =>
    endToEnd('API batch → worker ×1 → target', targets[1], { batch: true }),
  );
  rows.push(single, batched);
  const addWorker = async (port) => {
    workers.push(start('publishing', port, ['worker'], publishingEnv));
    processName[processes.length - 1] = `publishing worker ${workers.length}`;
    await waitOk(`http://127.0.0.1:${port}/health/ready`);
  };
  await addWorker(3206);
  rows.push(await endToEnd('API batch → worker ×2 → target', targets[2], { batch: true }));
  await addWorker(3207);
  await addWorker(3208);
  rows.push(await endToEnd('API batch → worker ×4 → target', targets[3], { batch: true }));
  const accuracy =
    scheduledJobs > 0
      ? [await scheduledAccuracy(scheduledJobs, 60_000), await scheduledAccuracy(scheduledJobs, 0)]
      : null;
  await finished.close();
  await db.end();
  for (const r of rows.slice(1)) r.ratio = `${Math.round((r['jobs/s'] / rows[0]['jobs/s']) * 100)} %`;
  rows[0].ratio = '';

  process.stdout.write(
    `\npublishing throughput, ${jobs} jobs per run, ${connections} concurrent single submitters or 4 batches of 100 in flight, ${cpus().length} cores\n\n${table(rows)}\n\n` +
      `CPU ms per job, by process (the whole run of each row)\n\n${table(cpuRows.map(fill(cpuRows)))}\n\n` +
      `statements in the single ×1 run (pg_stat_statements, every database), per job\n\n${table(singleStatements)}\n\n` +
      `statements in the batch ×1 run (pg_stat_statements, every database), per job\n\n${table(statements)}\n\n` +
      (accuracy ? `scheduled accuracy (first attempt after scheduledFor)\n\n${table(accuracy)}\n\n` : ''),
  );
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(
    join(__dirname, 'results/publishing.json'),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        jobs,
        connections,
        rows,
        cpuMsPerJob: cpuRows,
        statements,
        singleStatements,
        scheduledAccuracy: accuracy,
      },
      null,
      2,
    ),
  );
}

/**
 * When jobs end, heard from BullMQ's event stream of the publishing queue (a job's queue entry
 * completes once its outcome is committed), so the measured window has no polling query in it.
 * A job that fails its last attempt is a 'failed' event among retries: every few seconds the
 * jobs still missing are looked up once in PostgreSQL instead.
 */
async function queueFinished(infra, db) {
  const events = new QueueEvents('publishing', {
    connection: { url: infra.redisUrl, maxRetriesPerRequest: null },
    prefix: '{smartbeak:bull}',
  });
  await events.waitUntilReady();
  const done = new Set();
  let wake = () => undefined;
  const state = { lastAt: 0 };
  events.on('completed', ({ jobId }) => {
    done.add(jobId.slice(0, 36));
    state.lastAt = Date.now();
    wake();
  });
  return {
    get lastAt() {
      return state.lastAt;
    },
    async untilAll(ids) {
      let checked = Date.now();
      for (;;) {
        const missing = ids.filter((id) => !done.has(id));
        if (!missing.length) return;
        if (Date.now() - checked > 3_000) {
          checked = Date.now();
          const { rows } = await db.query(
            `SELECT id FROM publishing_jobs WHERE id = ANY($1::uuid[]) AND state IN ('completed', 'failed')`,
            [missing],
          );
          for (const row of rows) done.add(row.id);
          if (rows.length) state.lastAt = Date.now();
          continue;
        }
        await new Promise((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1_000);
        });
      }
    },
    close: () => events.close(),
  };
}

const api = (method, path, token, body) => apiCall(GATEWAY, method, path, token, body);

/** Every row with every column (blank where a process used nothing), for one table. */
const fill = (rows) => {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return (row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? '']));
};

runBench(main);
