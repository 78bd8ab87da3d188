// Shared bench helpers: load generation, RSS sampling, the stack.
'use strict';

const { readFileSync } = require('node:fs');
const { spawn } = require('node:child_process');

const autocannon = require('autocannon');

/** Current and peak resident set of a process, in MiB (Linux /proc). */
function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field) => Number((new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status) || [])[1] || 0);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/**
 * Runs autocannon against one URL and returns req/s and latency percentiles
 * (ms). `requests` (autocannon's) vary each request, e.g. a fresh body.
 */
function load(url, { connections = 32, duration = 10, headers = {}, requests } = {}) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration, headers, requests, pipelining: 1 }, (error, result) => {
      if (error) return reject(error);
      const bad = result.non2xx + result.errors + result.timeouts;
      resolve({
        reqPerSec: Math.round(result.requests.average),
        p50: result.latency.p50,
        p99: result.latency.p99,
        total: result.requests.total,
        failed: bad,
      });
    });
  });
}

/**
 * An open load at a steady `rate` (requests per second, each sent at its
 * time whatever the answers before it): the latency a user sees when the
 * platform is busy but not saturated. Latency counts from when a request was
 * due, so a stalled sender cannot hide a slow answer. (autocannon's
 * `overallRate` sends each second's quota in a burst at its start.)
 * `path()` gives each request's path, else `url` every time. Same figures as `load`.
 */
async function paced(url, { rate = 500, duration = 10, headers = {}, path, warmup = 2 } = {}) {
  // The sender's own connections and code warm first, out of the figures.
  if (warmup) await paced(url, { rate, duration: warmup, headers, path, warmup: 0 });
  const { origin } = new URL(url);
  // node:http with kept-alive sockets: lighter than fetch, so the sender adds little to what it measures.
  const http = require('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencies = [];
  let failed = 0;
  const pending = new Set();
  const interval = 1000 / rate;
  const started = performance.now();
  for (let n = 0; n < rate * duration;) {
    const now = performance.now();
    for (; n < rate * duration && started + n * interval <= now; n++) {
      const due = started + n * interval;
      const sent = new Promise((resolve) => {
        const req = http.get(path ? origin + path() : url, { agent, headers }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode >= 400) failed++;
            resolve();
          });
        });
        req.on('error', () => {
          failed++;
          resolve();
        });
      }).then(() => {
        latencies.push(performance.now() - due);
        pending.delete(sent);
      });
      pending.add(sent);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  const at = (q) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return { reqPerSec: rate, p50: at(0.5), p99: at(0.99), total: latencies.length, failed };
}

/**
 * A closed-loop load of `connections` workers, each sending its next request
 * only after the answer to the last (for requests that depend on the previous
 * answer, such as an update carrying the version it was given). Same figures
 * as `load`.
 */
async function loop({ connections = 32, duration = 10, send }) {
  const latencies = [];
  let failed = 0;
  const until = Date.now() + duration * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, worker) => {
      const state = {};
      while (Date.now() < until) {
        const started = process.hrtime.bigint();
        const ok = await send(worker, state).catch(() => false);
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (!ok) failed++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    reqPerSec: Math.round(latencies.length / duration),
    p50: at(0.5),
    p99: at(0.99),
    total: latencies.length,
    failed,
  };
}

/**
 * Starts a Node process. With BENCH_PROFILE=1 it writes V8's tick log to
 * bench/results/profiles/<script>-<pid>.log as it runs (a service ends by
 * re-raising SIGTERM, which --cpu-prof would not survive); read one with
 * `node --prof-process <file>`.
 */
function startNode(script, env, args = []) {
  const { basename, join } = require('node:path');
  const dir = join(__dirname, 'results/profiles');
  if (process.env.BENCH_PROFILE) require('node:fs').mkdirSync(dir, { recursive: true });
  const name = `${basename(require('node:path').dirname(script))}-${basename(script, '.js')}`;
  const profile = process.env.BENCH_PROFILE
    ? ['--prof', '--no-logfile-per-isolate', `--logfile=${join(dir, `${name}-${Date.now()}.log`)}`]
    : [];
  const child = spawn(process.execPath, [...profile, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.output = [];
  for (const stream of [child.stdout, child.stderr])
    stream.on('data', (c) => child.output.push(c.toString()));
  return child;
}

async function waitOk(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready`);
}

function table(rows) {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (r, c) => (r[c] === undefined || r[c] === null ? '' : String(r[c]));
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (values) => values.map((v, i) => String(v).padEnd(width[i])).join('  ');
  return [
    line(cols),
    line(width.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(cols.map((c) => cell(r, c)))),
  ].join('\n');
}

/** Runs `task` over `inputs` with at most `width` in flight; results in input order. */
async function pool(inputs, width, task) {
  const results = new Array(inputs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < inputs.length) {
        const i = next++;
        results[i] = await task(inputs[i]);
      }
    }),
  );
  return results;
}

/** A JSON call to the gateway with a bearer token; throws on a non-2xx answer. */
async function api(base, method, path, token, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** The web app origin the bench gateways accept in `azp` (production requires one). */
const BENCH_ORIGIN = 'https://bench.smartbeak.test';

/** Settings every bench gateway runs with, beside its ports and keys: production mode, as deployed. */
const gatewayProductionEnv = { NODE_ENV: 'production', CLERK_AUTHORIZED_PARTIES: BENCH_ORIGIN };

/** CPU seconds used so far by every process on the machine, grouped: our services by name, others by command. */
function cpuSeconds(names) {
  const { readdirSync } = require('node:fs');
  const used = {};
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime + stime, and cutime + cstime: what its exited children used (a PostgreSQL backend
    // that closes mid-run moves its time to the postmaster instead of vanishing from the sum).
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    const group = names.get(Number(pid)) ?? (Number(pid) === process.pid ? 'bench (this process)' : comm);
    used[group] = (used[group] ?? 0) + ticks / 100;
  }
  return used;
}
/**
 * Runs a bench script's `main({ settings, infra, processes })` on the bench
 * stack (`.data/bench`): infrastructure started, apps built, databases
 * migrated. Children `main` pushes on `processes` are stopped, and the stack
 * with them, however it ends; the process exits 0 or 1.
 */
function runBench(main) {
  const stack = require('../tools/stack/local-stack');
  const run = async () => {
    const settings = stack.stackSettings('bench');
    const infra = stack.startInfrastructure(settings);
    const processes = [];
    try {
      stack.buildApps();
      await infra.ready();
      stack.migrateAll(infra);
      await main({ settings, infra, processes });
    } finally {
      for (const child of processes) child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1_000));
      infra.stop();
    }
  };
  run().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${error.stack || error}\n`);
      process.exit(1);
    },
  );
}

/** Processes whose CPU a read bench reports besides its own named ones. */
const SHARED_PROCESSES = /^(postgres|redis-server)$/;

/**
 * Runs `run` (a `load` or `loop`, whose result has `total` requests) and adds
 * `cpu`: µs of CPU per request of each process in `names` (pid → name), and
 * of PostgreSQL and Redis, over the run and `settle` (work the run left
 * behind, awaited). /proc counts in 10 ms ticks.
 */
async function withCpu(names, run, { settle } = {}) {
  const before = cpuSeconds(names);
  const result = await run();
  // Work the requests left behind (a relay sending their events) counts too: wait for it.
  if (settle) await settle();
  const after = cpuSeconds(names);
  const known = new Set(names.values());
  const cpu = {};
  for (const [group, used] of Object.entries(after)) {
    if (!known.has(group) && !SHARED_PROCESSES.test(group)) continue;
    const us = ((used - (before[group] ?? 0)) * 1e6) / Math.max(1, result.total);
    if (us >= 1) cpu[group] = Math.round(us);
  }
  return { ...result, cpu };
}

/**
 * Runs each of `runs` (say the raw baseline, then the platform) in turn,
 * `rounds` times over, and gives each its median round. This machine's
 * speed drifts by ±15 % over minutes: two 10 s runs made one after the
 * other carried that drift into their ratio; alternating short rounds share
 * it. Failures, totals, CPU and commits per request are over every round.
 */
async function alternate(runs, rounds = ROUNDS) {
  const results = runs.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, run] of runs.entries()) results[i].push(await run());
  }
  return results.map(medianRound);
}

/** Rounds per side in `alternate`: a bench's --duration is split among them. */
const ROUNDS = 5;

function medianRound(results) {
  const median = (pick) => results.map(pick).sort((a, b) => a - b)[Math.floor(results.length / 2)];
  const total = results.reduce((sum, r) => sum + r.total, 0);
  const perRequest = (pick) => results.reduce((sum, r) => sum + pick(r) * r.total, 0) / Math.max(1, total);
  const names = new Set(results.flatMap((r) => Object.keys(r.cpu ?? {})));
  const cpu = {};
  for (const name of names) cpu[name] = Math.round(perRequest((r) => r.cpu?.[name] ?? 0));
  return {
    reqPerSec: median((r) => r.reqPerSec),
    p50: median((r) => r.p50),
    p99: median((r) => r.p99),
    total,
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    cpu,
    ...(results.every((r) => r.commits !== undefined) ? { commits: perRequest((r) => r.commits) } : {}),
  };
}

/** `cpu` of a result as one cell: "gateway 95 · redis-server 12". */
function cpuCell(cpu) {
  return Object.entries(cpu ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => `${name} ${us}`)
    .join(' · ');
}

/** Resolves once the relays have sent every event in `tables` of `client`'s database. */
async function untilRelayed(client, tables = ['outbox'], timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await Promise.all(
      tables.map(async (table) => {
        const { rows } = await client.query(
          `SELECT count(*)::int AS n FROM ${table} WHERE relayed_at IS NULL`,
        );
        return rows[0].n;
      }),
    );
    if (counts.every((n) => n === 0)) return;
    if (Date.now() > deadline) throw new Error(`events still unrelayed after ${timeoutMs} ms: ${counts}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Commits PostgreSQL has counted in `database` so far (pg_stat_database; read after the stats flush). */
async function commitsOf(client) {
  await new Promise((r) => setTimeout(r, 1_100));
  const { rows } = await client.query(
    `SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()`,
  );
  return Number(rows[0].n);
}

/** Signs bench session tokens (2 h, subject user_bench, azp the bench origin) with the stack's dev key. */
async function tokenSigner(privatePath) {
  const { SignJWT, importPKCS8 } = await import('jose');
  const key = await importPKCS8(readFileSync(privatePath, 'utf8'), 'RS256');
  return (claims) =>
    new SignJWT({ azp: BENCH_ORIGIN, ...claims })
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('user_bench')
      .setIssuedAt()
      .setExpirationTime('2h')
      .sign(key);
}

/** How the measured services run: production mode, quiet logs. */
const QUIET = { LOG_LEVEL: 'warn', NODE_ENV: 'production' };

/**
 * Starts a built service of the local stack (`tools/stack`) on `port` with its
 * stack environment and `extra`; says so on stderr if it dies.
 */
function startService(infra, name, port, { args = [], extra = {} } = {}) {
  const stack = require('../tools/stack/local-stack');
  const service = stack.SERVICES.find((s) => s.name === name);
  const child = startNode(
    require('node:path').join(stack.ROOT, 'dist/apps', service.app ?? name, 'main.js'),
    stack.serviceEnv(service, infra, { ...QUIET, HTTP_PORT: String(port), ...extra }),
    args,
  );
  child.on(
    'exit',
    (code) =>
      code && process.stderr.write(`${name} exited ${code}:\n${child.output.join('').slice(-3000)}\n`),
  );
  return child;
}

/**
 * Starts the gateway on :3200 in production mode, checking `healthServices`.
 * The per-user rate limit runs on every request, as deployed, with a limit
 * no bench reaches (one bench user sends thousands a second).
 */
function startGateway(infra, keys, healthServices) {
  const stack = require('../tools/stack/local-stack');
  const child = startNode(require('node:path').join(stack.ROOT, 'dist/apps/api-gateway/main.js'), {
    ...QUIET,
    REDIS_URL: infra.redisUrlFor('api-gateway'),
    ...infra.messageEnv('api-gateway'),
    GATEWAY_PORT: '3200',
    METRICS_PORT: '0',
    ...gatewayProductionEnv,
    CLERK_JWT_KEY: readFileSync(keys.publicPath, 'utf8'),
    RATE_LIMIT_PER_MINUTE: '1000000000',
    HEALTH_SERVICES: healthServices.join(','),
  });
  child.on(
    'exit',
    (code) =>
      code && process.stderr.write(`gateway exited ${code}:\n${child.output.join('').slice(-3000)}\n`),
  );
  return child;
}

module.exports = {
  alternate,
  ROUNDS,
  commitsOf,
  runBench,
  untilRelayed,
  paced,
  cpuCell,
  cpuSeconds,
  withCpu,
  startService,
  startGateway,
  rssOf,
  load,
  loop,
  pool,
  api,
  startNode,
  waitOk,
  table,
  tokenSigner,
  gatewayProductionEnv,
};
