#!/usr/bin/env node
// Benchmark (not a test): content's create, read by id, update and
// list-newest-20 through gateway → Redis RPC → content, beside a raw
// node:http + pg server running the same SQL (bench/raw-content-server.js),
// in the same run; then the list's latency with 1k and with 1M rows.
//   node bench/content.js [--duration 10] [--connections 32] [--rows 1000000]
'use strict';

const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { cpus } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');

const { Client } = require('pg');

const stack = require('../tools/stack/local-stack');
const system = require('../tools/stack/system');
const {
  runBench,
  api: apiCall,
  commitsOf,
  cpuCell,
  load,
  loop,
  paced,
  rssOf,
  startGateway,
  startNode,
  startService,
  table,
  waitOk,
  tokenSigner,
  untilRelayed,
  withCpu,
  alternate,
  ROUNDS,
} = require('./lib');

const GATEWAY = 'http://127.0.0.1:3200';
const RAW = 'http://127.0.0.1:3298';

async function main({ settings, infra, processes }) {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      rows: { type: 'string', default: '1000000' },
    },
  });
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const bigRows = Number(values.rows);
  const service = (name) => stack.SERVICES.find((s) => s.name === name);
  const keys = system.ensureDevKeys(settings.dir);
  const contentDb = infra.databaseUrl(service('content').database);
  const rawServer = startNode(join(__dirname, 'raw-content-server.js'), {
    DATABASE_URL: contentDb,
    PORT: '3298',
  });
  rawServer.on(
    'exit',
    (code) => code && process.stderr.write(`raw exited ${code}:\n${rawServer.output.join('')}\n`),
  );
  const controlPlane = startService(infra, 'control-plane', 3201);
  const content = startService(infra, 'content', 3202);
  const gateway = startGateway(infra, keys, ['control-plane', 'content']);
  processes.push(controlPlane, content, gateway, rawServer);
  await waitOk('http://127.0.0.1:3201/health/ready');
  await waitOk('http://127.0.0.1:3202/health/ready');
  await waitOk(`${GATEWAY}/api/health`);

  const sign = await tokenSigner(keys.privatePath);
  const admin = await sign({ org_id: 'org_bench', permissions: ['org:admin'] });
  const domain = async (name) =>
    (await api('POST', '/api/domains', admin, { name, hostname: `${name}-${Date.now()}.bench.example` })).id;
  const [benchDomain, listDomain] = [await domain('bench'), await domain('list')];
  const perms = ['content:read', 'content:write'];
  const token = await sign({ org_id: 'org_bench', domain_id: benchDomain, permissions: perms });
  const listToken = await sign({ org_id: 'org_bench', domain_id: listDomain, permissions: perms });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const listHeaders = { authorization: `Bearer ${listToken}` };

  const rows = [];
  const names = new Map([
    [gateway.pid, 'gateway'],
    [content.pid, 'content'],
    [controlPlane.pid, 'control-plane'],
    [rawServer.pid, 'raw'],
  ]);
  /** `run` with the CPU per request of each process and, for writes, the content database's commits per request. */
  const relayed = () => untilRelayed(db, ['content_events', 'outbox']);
  const measured = async (run, { commits } = {}) => {
    await relayed();
    const before = commits ? await commitsOf(db) : 0;
    const result = await withCpu(names, run, { settle: relayed });
    if (commits) result.commits = ((await commitsOf(db)) - before - 1) / Math.max(1, result.total);
    return result;
  };
  const compare = async (label, path, options, { commits = false, steadyPath } = {}) => {
    // Warm both paths (JIT, pools, caches) before measuring.
    await load(`${RAW}${path}`, { connections, duration: 2, ...options('raw') });
    await load(`${GATEWAY}${path}`, { connections, duration: 2, ...options('platform') });
    const round = duration / ROUNDS;
    const [baseline, platform] = await alternate([
      () =>
        measured(() => load(`${RAW}${path}`, { connections, duration: round, ...options('raw') }), {
          commits,
        }),
      () =>
        measured(() => load(`${GATEWAY}${path}`, { connections, duration: round, ...options('platform') }), {
          commits,
        }),
    ]);
    rows.push(row(label, 'raw node+pg', baseline, ''));
    rows.push(
      row(label, 'gateway→redis→content', platform, `${pct(platform.reqPerSec, baseline.reqPerSec)}`),
    );
    if (steadyPath) {
      // The latency a console user sees at a steady 500 req/s, below either path's capacity.
      const steady = await paced(`${GATEWAY}${path}`, {
        rate: 500,
        duration,
        headers: options('platform').headers,
        path: steadyPath,
      });
      rows[rows.length - 1]['p99 ms at 500/s'] = steady.p99;
    }
    process.stdout.write(`${label}: raw ${baseline.reqPerSec} req/s, platform ${platform.reqPerSec} req/s\n`);
  };

  // The list at 1k rows (a domain of its own; the table holds little else yet).
  const db = new Client({ connectionString: contentDb });
  await db.connect();
  await seed(db, listDomain, 0, 1_000);
  const listLatency = [];
  const measureList = async (rowsInDomain) => {
    const deep = await cursorAt(db, listDomain, Math.floor(rowsInDomain / 2));
    for (const [label, query] of [
      ['newest 20', '/api/content?limit=20'],
      ['20 from the middle', `/api/content?limit=20&cursor=${deep}`],
    ]) {
      await load(`${RAW}${query}`, { connections, duration: 2, headers: listHeaders });
      await load(`${GATEWAY}${query}`, { connections, duration: 2, headers: listHeaders });
      const raw = await load(`${RAW}${query}`, { connections, duration, headers: listHeaders });
      const platform = await load(`${GATEWAY}${query}`, { connections, duration, headers: listHeaders });
      listLatency.push({
        rows: rowsInDomain.toLocaleString('en'),
        page: label,
        'raw p99 ms': raw.p99,
        'platform req/s': platform.reqPerSec,
        'platform p50 ms': platform.p50,
        'platform p99 ms': platform.p99,
        failed: raw.failed + platform.failed,
      });
    }
  };
  await measureList(1_000);

  // Create: a new title (and so slug) per request, on both sides.
  let serial = 0;
  await compare(
    'POST /api/content',
    '/api/content',
    () => ({
      requests: [
        {
          method: 'POST',
          headers,
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({
              title: `Bench post ${process.pid} ${serial++}`,
              body: '<p>Hello</p>',
              tags: ['bench'],
            }),
          }),
        },
      ],
    }),
    { commits: true },
  );

  // Read by id and update: items made beforehand, one per connection for updates.
  const readIds = [];
  for (let i = 0; i < 200; i++)
    readIds.push((await api('POST', '/api/content', token, { title: `Read ${i}` })).id);
  await compare(
    'GET /api/content/:id',
    '/api/content',
    () => ({
      headers,
      requests: [
        {
          method: 'GET',
          setupRequest: (req) => ({ ...req, path: `/api/content/${readIds[serial++ % readIds.length]}` }),
        },
      ],
    }),
    { steadyPath: () => `/api/content/${readIds[serial++ % readIds.length]}` },
  );

  const updatePools = { raw: [], platform: [] };
  for (const side of Object.keys(updatePools))
    for (let i = 0; i < connections; i++)
      updatePools[side].push({
        id: (await api('POST', '/api/content', token, { title: `Update ${side} ${i}` })).id,
        version: 1,
      });
  // Each worker edits its own item and carries the version each answer gives it; a closed
  // loop (autocannon prepares a request before the last answer is in).
  const update = (base, side) => async (worker, state) => {
    state.item ??= updatePools[side][worker];
    const res = await fetch(`${base}/api/content/update`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ id: state.item.id, version: state.item.version, body: `<p>${serial++}</p>` }),
    });
    const answer = await res.json();
    state.item.version = res.ok ? answer.version : (answer.currentVersion ?? state.item.version);
    return res.ok;
  };
  await loop({ connections, duration: 2, send: update(RAW, 'raw') });
  await loop({ connections, duration: 2, send: update(GATEWAY, 'platform') });
  const [rawUpdate, platformUpdate] = await alternate([
    () =>
      measured(() => loop({ connections, duration: duration / ROUNDS, send: update(RAW, 'raw') }), {
        commits: true,
      }),
    () =>
      measured(() => loop({ connections, duration: duration / ROUNDS, send: update(GATEWAY, 'platform') }), {
        commits: true,
      }),
  ]);
  rows.push(row('POST /api/content/update', 'raw node+pg', rawUpdate, ''));
  rows.push(
    row(
      'POST /api/content/update',
      'gateway→redis→content',
      platformUpdate,
      pct(platformUpdate.reqPerSec, rawUpdate.reqPerSec),
    ),
  );

  await compare('GET /api/content?limit=20', '/api/content?limit=20', () => ({ headers }), {
    steadyPath: () => '/api/content?limit=20',
  });
  const peak = {
    gateway: rssOf(gateway.pid).peak,
    content: rssOf(content.pid).peak,
    'control-plane': rssOf(controlPlane.pid).peak,
    raw: rssOf(rawServer.pid).peak,
  };

  // The list at 1M rows: keyset pages must cost what they cost at 1k.
  if (bigRows > 1_000) {
    const started = Date.now();
    await seed(db, listDomain, 1_000, bigRows);
    await db.query('VACUUM ANALYZE content_items');
    // Flush the million new rows now, not during the measurement (a checkpoint's writes
    // otherwise land on whichever run comes first).
    await db.query('CHECKPOINT');
    process.stdout.write(
      `seeded ${bigRows.toLocaleString('en')} rows in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
    );
    await measureList(bigRows);
  }
  await db.end();

  const memory = Object.entries(peak).map(([name, mib]) => ({
    process: name,
    'peak RSS MiB': mib.toFixed(0),
  }));
  process.stdout.write(
    `\ncontent, ${connections} connections, ${duration}s per run, ${cpus().length} cores\n\n${table(rows)}\n\n` +
      `list latency by table size\n\n${table(listLatency)}\n\n${table(memory)}\n\n`,
  );
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(
    join(__dirname, 'results/content.json'),
    JSON.stringify(
      { at: new Date().toISOString(), connections, duration, rows, listLatency, memory },
      null,
      2,
    ),
  );
}

const api = (method, path, token, body) => apiCall(GATEWAY, method, path, token, body);

/** Read-model rows straight into the table (the list reads nothing else), one second apart. */
async function seed(db, domainId, from, to) {
  const step = 100_000;
  for (let start = from; start < to; start += step) {
    const end = Math.min(start + step, to);
    await db.query(
      `INSERT INTO content_items (id, org_id, domain_id, title, slug, body, excerpt, tags, status, version, scheduled_for,
                                  published_at, created_by, updated_by, created_at, updated_at, deleted_at, cold_at)
       SELECT gen_random_uuid(), 'org_bench', $1, 'Seeded item ' || g, 'seeded-' || g, '<p>seeded</p>', '', '{seed}',
              'draft', 1, NULL, NULL, 'seed', 'seed', ts, ts, NULL, NULL
         FROM generate_series($2::int + 1, $3::int) g, LATERAL (SELECT now() - make_interval(secs => 10000000 - g)) t(ts)`,
      [domainId, start, end],
    );
  }
}

/** The cursor a client would hold after reading `offset` items newest first. */
async function cursorAt(db, domainId, offset) {
  const { rows } = await db.query(
    `SELECT created_at, id FROM content_items WHERE domain_id = $1 AND deleted_at IS NULL
      ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1`,
    [domainId, offset],
  );
  return Buffer.from(JSON.stringify([rows[0].created_at.toISOString(), rows[0].id])).toString('base64url');
}

function row(route, path, result, ratio) {
  return {
    route,
    path,
    'req/s': result.reqPerSec,
    'p50 ms': result.p50,
    'p99 ms': result.p99,
    failed: result.failed,
    ratio,
    ...(result.commits === undefined ? {} : { 'commits per request': result.commits.toFixed(2) }),
    'CPU µs per request': cpuCell(result.cpu),
  };
}

function pct(value, of) {
  return `${((value / of) * 100).toFixed(0)} %`;
}

runBench(main);
