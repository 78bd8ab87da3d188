#!/usr/bin/env node
// Benchmark (not a test): publishing jobs per second end to end (POST
// /api/publishing/jobs accepted → job completed) with 1 and 2 worker
// replicas against a no-delay WordPress-shaped target, beside raw BullMQ
// (add → process, an empty processor) on the same Redis, in one run.
//   node bench/publishing.js [--jobs 1000] [--connections 32]
'use strict';

const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { cpus } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');

const { Queue, Worker } = require('bullmq');
const { Client } = require('pg');

const stack = require('../tools/stack/local-stack');
const system = require('../tools/stack/system');
const {
  api: apiCall,
  pool,
  startGateway,
  startNode,
  startService,
  table,
  waitOk,
  tokenSigner,
} = require('./lib');

const GATEWAY = 'http://127.0.0.1:3200';

async function main() {
  const { values } = parseArgs({
    options: { jobs: { type: 'string', default: '1000' }, connections: { type: 'string', default: '32' } },
  });
  const jobs = Number(values.jobs);
  const connections = Number(values.connections);
  const settings = stack.stackSettings('bench');
  const infra = stack.startInfrastructure(settings);
  const processes = [];
  try {
    stack.buildApps();
    await infra.ready();
    stack.migrateAll(infra);
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
    const target = await api('POST', '/api/publishing/targets', token, {
      type: 'wordpress',
      name: 'no-delay',
      autoPublish: false,
      config: { baseUrl: 'http://127.0.0.1:3297', username: 'bench', applicationPassword: 'bench' },
    });
    process.stdout.write(`making ${2 * jobs} content items…\n`);
    const items = await pool(
      Array.from({ length: 2 * jobs }, (_, i) => i),
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
    const endToEnd = async (label, contentIds) => {
      const started = Date.now();
      const ids = await pool(
        contentIds,
        connections,
        async (contentId) =>
          (await api('POST', '/api/publishing/jobs', token, { contentId, targetIds: [target.id] })).id,
      );
      const accepted = Date.now();
      for (;;) {
        const { rows } = await db.query(
          `SELECT count(*) FILTER (WHERE state IN ('completed', 'failed'))::int AS done, count(*) FILTER (WHERE state = 'failed')::int AS failed FROM publishing_jobs WHERE id = ANY($1::uuid[])`,
          [ids],
        );
        if (rows[0].done === ids.length) {
          const seconds = (Date.now() - started) / 1000;
          return {
            path: label,
            jobs: ids.length,
            'jobs/s': Math.round(ids.length / seconds),
            seconds: seconds.toFixed(1),
            'accept s': ((accepted - started) / 1000).toFixed(1),
            failed: rows[0].failed,
          };
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };

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
        'accept s': ((accepted - started) / 1000).toFixed(1),
        failed: 0,
      };
    };

    const rows = [];
    rows.push(await rawBullmq());
    rows.push(await endToEnd('API → worker ×1 → target', items.slice(0, jobs)));
    workers.push(start('publishing', 3206, ['worker'], publishingEnv));
    await waitOk('http://127.0.0.1:3206/health/ready');
    rows.push(await endToEnd('API → worker ×2 → target', items.slice(jobs)));
    await db.end();
    for (const r of rows.slice(1)) r.ratio = `${Math.round((r['jobs/s'] / rows[0]['jobs/s']) * 100)} %`;
    rows[0].ratio = '';

    process.stdout.write(
      `\npublishing throughput, ${jobs} jobs per run, ${connections} concurrent submitters, ${cpus().length} cores\n\n${table(rows)}\n\n`,
    );
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(
      join(__dirname, 'results/publishing.json'),
      JSON.stringify({ at: new Date().toISOString(), jobs, connections, rows }, null, 2),
    );
  } finally {
    for (const child of processes) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1_000));
    infra.stop();
  }
}

const api = (method, path, token, body) => apiCall(GATEWAY, method, path, token, body);

main()
  .then(() => process.exit(0))
  .catch((error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
  });
