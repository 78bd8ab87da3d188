#!/usr/bin/env node
// Benchmark (not a test): content create, read by id and list-newest-20
// through our gateway → content, beside Directus (the headless CMS a team
// would pick instead) on the same PostgreSQL, in the same run, at the same
// concurrency. Directus is installed from the npm registry into the bench
// stack's folder on first use (DIRECTUS_VERSION), outside our dependencies.
// Both sides keep their history per write: ours an event, a revision and an
// outbox row; Directus its activity and revision rows.
//   node bench/peers.js [--duration 10] [--connections 32]
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, writeFileSync } = require('node:fs');
const { cpus } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');

const { Client } = require('pg');

const system = require('../tools/stack/system');
const {
  runBench,
  api: apiCall,
  cpuCell,
  load,
  startGateway,
  startService,
  table,
  tokenSigner,
  untilRelayed,
  waitOk,
  withCpu,
  alternate,
  ROUNDS,
} = require('./lib');

/**
 * 12.4.1, the latest, names @directus/app 18.0.1, which the registry this
 * machine reaches does not hold; 12.4.0 installs whole.
 */
const DIRECTUS_VERSION = process.env.DIRECTUS_VERSION || '12.4.0';
const GATEWAY = 'http://127.0.0.1:3200';
const DIRECTUS = 'http://127.0.0.1:3290';
const DIRECTUS_TOKEN = 'bench-directus-admin-token';

/** Directus in `<dir>/peers/directus-<version>`, installed by npm with the Node running this bench. */
function ensureDirectus(dir) {
  const home = join(dir, 'peers', `directus-${DIRECTUS_VERSION}`);
  const bin = join(home, 'node_modules/directus/cli.js');
  if (existsSync(bin)) return { home, bin };
  mkdirSync(home, { recursive: true });
  writeFileSync(
    join(home, 'package.json'),
    // Directus 12.4 pins isolated-vm 5, which does not build for Node 24's headers (C++20); 6 does.
    JSON.stringify({ name: 'peer-directus', private: true, overrides: { 'isolated-vm': '6.2.0' } }),
  );
  process.stdout.write(`installing directus@${DIRECTUS_VERSION} (first run only)…\n`);
  // npm run by this Node, so native modules (isolated-vm, argon2) build for the Node that runs Directus.
  const npmCli =
    process.env.npm_execpath ||
    spawnSync('sh', ['-c', 'readlink -f "$(command -v npm)"'], { encoding: 'utf8' }).stdout.trim();
  const npm = spawnSync(
    process.execPath,
    [npmCli, 'install', `directus@${DIRECTUS_VERSION}`, '--no-audit', '--no-fund', '--loglevel=error'],
    {
      cwd: home,
      stdio: 'inherit',
      env: {
        ...process.env,
        PATH: `${join(process.execPath, '..')}:${process.env.PATH}`,
        // Headers of this Node (the runtime package ships them): node-gyp would take the system Node's.
        npm_config_nodedir: join(process.execPath, '../..'),
      },
    },
  );
  if (npm.status !== 0 || !existsSync(bin))
    throw new Error(`npm could not install directus@${DIRECTUS_VERSION}`);
  return { home, bin };
}

function directusEnv(settings, database) {
  return {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: '3290',
    PUBLIC_URL: DIRECTUS,
    DB_CLIENT: 'pg',
    DB_HOST: '127.0.0.1',
    DB_PORT: String(settings.pgPort),
    DB_DATABASE: database,
    DB_USER: 'postgres',
    DB_PASSWORD: '',
    KEY: 'bench-directus-key',
    SECRET: 'bench-directus-secret-bench-directus-secret',
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD: 'bench-admin-password',
    ADMIN_TOKEN: DIRECTUS_TOKEN,
    LOG_LEVEL: 'warn',
    TELEMETRY: 'false',
    // As deployed for production: no response cache (ours has none on content either), no rate limiter.
    CACHE_ENABLED: 'false',
    RATE_LIMITER_ENABLED: 'false',
    WEBSOCKETS_ENABLED: 'false',
  };
}

async function directus(method, path, body) {
  const res = await fetch(`${DIRECTUS}${path}`, {
    method,
    headers: { authorization: `Bearer ${DIRECTUS_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`Directus ${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

/** A collection shaped like our content item: uuid key, title, slug, body, status, tags, times and authors. */
async function createArticles() {
  await directus('POST', '/collections', {
    collection: 'articles',
    schema: {},
    meta: { accountability: 'all' },
    fields: [
      {
        field: 'id',
        type: 'uuid',
        meta: { special: ['uuid'], hidden: true, readonly: true },
        schema: { is_primary_key: true, has_auto_increment: false },
      },
      { field: 'title', type: 'string', schema: { is_nullable: false } },
      { field: 'slug', type: 'string', schema: { is_unique: true } },
      { field: 'body', type: 'text' },
      { field: 'status', type: 'string', schema: { default_value: 'draft' } },
      { field: 'tags', type: 'json', meta: { special: ['cast-json'] } },
      { field: 'user_created', type: 'uuid', meta: { special: ['user-created'] } },
      { field: 'date_created', type: 'timestamp', meta: { special: ['date-created'] } },
      { field: 'date_updated', type: 'timestamp', meta: { special: ['date-updated'] } },
    ],
  });
}

async function main({ settings, infra, processes }) {
  const { values } = parseArgs({
    options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' } },
  });
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const peer = ensureDirectus(settings.dir);
  // A fresh database per run: Directus's tables beside none of ours, on the same server.
  const database = 'peer_directus';
  const pg = new Client({ connectionString: infra.databaseUrl('postgres') });
  await pg.connect();
  await pg.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await pg.end();
  system.ensureDatabases({ port: settings.pgPort, databases: [database] });
  const env = directusEnv(settings, database);
  for (const folder of ['uploads', 'extensions']) mkdirSync(join(peer.home, folder), { recursive: true });
  const bootstrap = spawnSync(process.execPath, [peer.bin, 'bootstrap'], {
    cwd: peer.home,
    env,
    stdio: 'inherit',
  });
  if (bootstrap.status !== 0) throw new Error('directus bootstrap failed');
  const directusProcess = spawn(process.execPath, [peer.bin, 'start'], {
    cwd: peer.home,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  processes.push(directusProcess);

  const controlPlane = startService(infra, 'control-plane', 3201);
  const content = startService(infra, 'content', 3202);
  const gateway = startGateway(infra, keys(settings), ['control-plane', 'content']);
  processes.push(controlPlane, content, gateway);
  await waitOk('http://127.0.0.1:3201/health/ready');
  await waitOk('http://127.0.0.1:3202/health/ready');
  await waitOk(`${GATEWAY}/api/health`);
  await waitOk(`${DIRECTUS}/server/ping`, 120_000);
  await createArticles();

  const sign = await tokenSigner(keys(settings).privatePath);
  const admin = await sign({ org_id: 'org_peers', permissions: ['org:admin'] });
  const domainId = (
    await apiCall(GATEWAY, 'POST', '/api/domains', admin, {
      name: 'peers',
      hostname: `peers-${Date.now()}.bench.example`,
    })
  ).id;
  const token = await sign({
    org_id: 'org_peers',
    domain_id: domainId,
    permissions: ['content:read', 'content:write'],
  });
  const ours = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const theirs = { authorization: `Bearer ${DIRECTUS_TOKEN}`, 'content-type': 'application/json' };
  const names = new Map([
    [gateway.pid, 'gateway'],
    [content.pid, 'content'],
    [controlPlane.pid, 'control-plane'],
    [directusProcess.pid, 'directus'],
  ]);

  let serial = 0;
  const item = () => {
    const n = serial++;
    return { title: `Peer post ${process.pid} ${n}`, body: '<p>Hello</p>', tags: ['bench'] };
  };
  const cases = [
    {
      label: 'create',
      ours: {
        url: `${GATEWAY}/api/content`,
        requests: [
          { method: 'POST', headers: ours, setupRequest: (r) => ({ ...r, body: JSON.stringify(item()) }) },
        ],
      },
      theirs: {
        url: `${DIRECTUS}/items/articles`,
        requests: [
          {
            method: 'POST',
            headers: theirs,
            setupRequest: (r) => {
              const body = item();
              return {
                ...r,
                body: JSON.stringify({ ...body, slug: body.title.toLowerCase().replace(/\W+/g, '-') }),
              };
            },
          },
        ],
      },
    },
  ];
  // Read by id: 200 items made beforehand on each side.
  const ourIds = [];
  const theirIds = [];
  for (let i = 0; i < 200; i++) {
    ourIds.push((await apiCall(GATEWAY, 'POST', '/api/content', token, { title: `Read ${i}` })).id);
    theirIds.push(
      (await directus('POST', '/items/articles', { title: `Read ${i}`, slug: `read-${i}` })).data.id,
    );
  }
  let reads = 0;
  cases.push(
    {
      label: 'read by id',
      ours: {
        url: `${GATEWAY}/api/content`,
        headers: ours,
        requests: [
          { method: 'GET', setupRequest: (r) => ({ ...r, path: `/api/content/${ourIds[reads++ % 200]}` }) },
        ],
      },
      theirs: {
        url: `${DIRECTUS}/items/articles`,
        headers: theirs,
        requests: [
          {
            method: 'GET',
            setupRequest: (r) => ({ ...r, path: `/items/articles/${theirIds[reads++ % 200]}` }),
          },
        ],
      },
    },
    {
      label: 'list newest 20',
      ours: { url: `${GATEWAY}/api/content?limit=20`, headers: ours },
      theirs: { url: `${DIRECTUS}/items/articles?limit=20&sort=-date_created`, headers: theirs },
    },
  );

  // Each run starts with our relay idle and counts the events it sends for the run's writes.
  const contentDb = new Client({ connectionString: infra.databaseUrl('content') });
  await contentDb.connect();
  const relayed = () => untilRelayed(contentDb, ['content_events', 'outbox']);
  const rows = [];
  for (const c of cases) {
    for (const side of ['theirs', 'ours']) await load(c[side].url, { connections, duration: 2, ...c[side] });
    const round = duration / ROUNDS;
    const [peerRun, ourRun] = await alternate([
      async () => {
        await relayed();
        return withCpu(names, () => load(c.theirs.url, { connections, duration: round, ...c.theirs }));
      },
      async () => {
        await relayed();
        return withCpu(names, () => load(c.ours.url, { connections, duration: round, ...c.ours }), {
          settle: relayed,
        });
      },
    ]);
    const line = (path, r) => ({
      operation: c.label,
      path,
      'req/s': r.reqPerSec,
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      failed: r.failed,
      'CPU µs per request': cpuCell(r.cpu),
    });
    rows.push(line(`Directus ${DIRECTUS_VERSION}`, peerRun));
    rows.push({
      ...line('SmartBeak gateway→content', ourRun),
      '× Directus req/s': (ourRun.reqPerSec / peerRun.reqPerSec).toFixed(1),
      'p99 ÷ Directus p99': (ourRun.p99 / Math.max(1, peerRun.p99)).toFixed(2),
    });
  }

  await contentDb.end();
  process.stdout.write(
    `\ncontent against Directus ${DIRECTUS_VERSION}, same PostgreSQL, ${connections} connections, ${duration}s per run, ${cpus().length} cores\n\n${table(rows)}\n\n`,
  );
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(
    join(__dirname, 'results/peers.json'),
    JSON.stringify(
      { at: new Date().toISOString(), peer: `directus@${DIRECTUS_VERSION}`, connections, duration, rows },
      null,
      2,
    ),
  );
}

const keys = (settings) => system.ensureDevKeys(settings.dir);

runBench(main);
