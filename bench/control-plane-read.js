#!/usr/bin/env node
// Benchmark (not a test): GET /api/me and GET /api/domains/:id through
// gateway → Redis RPC → control-plane, against a raw node:http + pg handler
// doing the same read, in the same run, on the same machine.
//   node bench/control-plane-read.js [--duration 10] [--connections 32]
'use strict';

const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { parseArgs } = require('node:util');

const stack = require('../tools/stack/local-stack');
const system = require('../tools/stack/system');
const {
  alternate,
  ROUNDS,
  runBench,
  cpuCell,
  rssOf,
  load,
  paced,
  startGateway,
  startNode,
  startService,
  waitOk,
  table,
  tokenSigner,
  withCpu,
} = require('./lib');

async function main({ settings, infra, processes }) {
  const { values } = parseArgs({
    options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' } },
  });
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const cp = stack.SERVICES.find((s) => s.name === 'control-plane');
  const keys = system.ensureDevKeys(settings.dir);
  const controlPlane = startService(infra, 'control-plane', 3201);
  const gateway = startGateway(infra, keys, ['control-plane']);
  const raw = startNode(join(__dirname, 'raw-server.js'), {
    DATABASE_URL: infra.databaseUrl(cp.database),
    PORT: '3299',
  });
  processes.push(controlPlane, gateway, raw);
  await waitOk('http://127.0.0.1:3201/health/ready');
  await waitOk('http://127.0.0.1:3200/api/health');
  await waitOk('http://127.0.0.1:3299/api/me').catch(() => undefined);

  const sign = await tokenSigner(keys.privatePath);
  const token = await sign({ org_id: 'org_bench', permissions: ['org:admin'] });
  const headers = { authorization: `Bearer ${token}` };
  const created = await fetch('http://127.0.0.1:3200/api/domains', {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench', hostname: `bench-${Date.now()}.example.com` }),
  }).then((r) => r.json());

  const idle = {
    gateway: rssOf(gateway.pid).rss,
    'control-plane': rssOf(controlPlane.pid).rss,
    raw: rssOf(raw.pid).rss,
  };
  const routes = [
    ['GET /api/me', '/api/me'],
    ['GET /api/domains/:id', `/api/domains/${created.id}`],
  ];
  const rows = [];
  for (const [label, path] of routes) {
    // Warm both paths (JIT, pools, caches) before measuring.
    await load(`http://127.0.0.1:3299${path}`, { connections, duration: 2, headers });
    await load(`http://127.0.0.1:3200${path}`, { connections, duration: 2, headers });
    const names = new Map([
      [gateway.pid, 'gateway'],
      [controlPlane.pid, 'control-plane'],
      [raw.pid, 'raw'],
    ]);
    const round = { connections, duration: duration / ROUNDS, headers };
    const [baseline, platform] = await alternate([
      () => withCpu(names, () => load(`http://127.0.0.1:3299${path}`, round)),
      () => withCpu(names, () => load(`http://127.0.0.1:3200${path}`, round)),
    ]);
    // The latency a console user sees at a steady 500 req/s, far below either path's capacity.
    const steady = await paced(`http://127.0.0.1:3200${path}`, { rate: 500, duration, headers });
    rows.push({
      route: label,
      path: 'raw node+pg',
      'req/s': baseline.reqPerSec,
      'p50 ms': baseline.p50,
      'p99 ms': baseline.p99,
      failed: baseline.failed,
      ratio: '',
      'CPU µs per request': cpuCell(baseline.cpu),
    });
    rows.push({
      route: label,
      path: 'gateway→redis→control-plane',
      'req/s': platform.reqPerSec,
      'p50 ms': platform.p50,
      'p99 ms': platform.p99,
      failed: platform.failed,
      ratio: `${((platform.reqPerSec / baseline.reqPerSec) * 100).toFixed(0)} %`,
      'p99 ms at 500/s': steady.p99,
      'CPU µs per request': cpuCell(platform.cpu),
    });
  }
  // The HTTP layer alone (Nest + Express, no RPC, no auth): the ceiling the gateway path can reach here.
  const ceiling = await load('http://127.0.0.1:3200/health/live', { connections, duration });
  rows.push({
    route: 'GET /health/live',
    path: 'gateway only (no RPC)',
    'req/s': ceiling.reqPerSec,
    'p50 ms': ceiling.p50,
    'p99 ms': ceiling.p99,
    failed: ceiling.failed,
    ratio: '',
  });
  const peak = {
    gateway: rssOf(gateway.pid).peak,
    'control-plane': rssOf(controlPlane.pid).peak,
    raw: rssOf(raw.pid).peak,
  };
  const memory = Object.keys(idle).map((name) => ({
    process: name,
    'idle RSS MiB': idle[name].toFixed(0),
    'peak RSS MiB': peak[name].toFixed(0),
  }));

  process.stdout.write(
    `\ncontrol-plane read path, ${connections} connections, ${duration}s per run, ${require('node:os').cpus().length} cores\n\n`,
  );
  process.stdout.write(`${table(rows)}\n\n${table(memory)}\n\n`);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(
    join(__dirname, 'results/control-plane-read.json'),
    JSON.stringify({ at: new Date().toISOString(), connections, duration, rows, memory }, null, 2),
  );
}

runBench(main);
