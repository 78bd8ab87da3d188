// Finds, installs (apt-get, when root) and runs the system servers the
// stack needs: PostgreSQL and Redis. Node built-ins only: this runs before
// `npm install` has put anything in node_modules.
'use strict';

const { execFileSync, spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function log(message) {
  process.stdout.write(`[stack] ${message}\n`);
}

function which(binary) {
  const result = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

function postgresBinDir() {
  if (process.env.SMARTBEAK_PG_BIN) return process.env.SMARTBEAK_PG_BIN;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(base, versions[0], 'bin');
  }
  const initdb = which('initdb');
  return initdb ? join(initdb, '..') : null;
}

/** Installs what is missing with apt-get when we can, else says what to install. */
function ensureSystemPackages() {
  const missing = [];
  if (!postgresBinDir()) missing.push('postgresql');
  if (!which('redis-server')) missing.push('redis-server');
  // The TLS test makes its certificates with it (usually there already, with ca-certificates).
  if (!which('openssl')) missing.push('openssl');
  // The PostgreSQL-at-scale test runs the services through it (transaction pooling).
  if (!which('pgbouncer')) missing.push('pgbouncer');
  if (!missing.length) return;
  if (isRoot && which('apt-get')) {
    log(`installing ${missing.join(', ')} with apt-get (once)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    // Debian's postinst may try to start its own cluster; ours runs under the repo's data folder.
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
      stdio: 'inherit',
      env,
    });
    return;
  }
  const sudo = isRoot ? '' : 'sudo ';
  throw new Error(
    `Missing system packages: ${missing.join(', ')}. Install them with:\n  ${sudo}apt-get update && ${sudo}apt-get install -y ${missing.join(' ')}\n` +
      'or set SMARTBEAK_PG_BIN to a folder holding initdb/pg_ctl.',
  );
}

/**
 * Headless Chromium for the browser tests (Debian's `chromium`): installed
 * with apt-get when missing and we can; returns its path, or null with the
 * reason printed (the browser test then fails saying what to install).
 */
function ensureChromium() {
  const found = process.env.SMARTBEAK_CHROMIUM || which('chromium') || which('chromium-browser');
  if (found) return found;
  if (isRoot && which('apt-get')) {
    log('installing chromium with apt-get (once, for the browser tests)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () =>
      spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
        stdio: 'inherit',
        env,
      });
    if (install().status !== 0) {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      install();
    }
    return which('chromium');
  }
  log('chromium is missing: apt-get install -y chromium (the browser upload test needs it)');
  return null;
}

/** Runs a PostgreSQL binary; as root through the `postgres` user, since the server refuses root. */
function pgExec(bin, args, options = {}) {
  const command = join(postgresBinDir(), bin);
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return spawnSync(file, argv, { encoding: 'utf8', ...options });
}

function ownedDir(path) {
  if (isRoot) {
    execFileSync('install', ['-d', '-m', '700', '-o', 'postgres', '-g', 'postgres', path]);
  } else {
    mkdirSync(path, { recursive: true, mode: 0o700 });
  }
}

/** Where PostgreSQL keeps the cluster of the stack folder `dir` when the server cannot reach `dir` itself. */
const OUTSIDE_ROOT = '/var/lib/smartbeak';

/**
 * The folder holding `dir`'s cluster: `dir` itself, unless (as root) the
 * `postgres` user cannot reach it — a clone in root's home, whose mode is
 * 700 — then a folder of its own under /var/lib/smartbeak, named after `dir`.
 */
function postgresRoot(dir) {
  if (!isRoot) return dir;
  mkdirSync(dir, { recursive: true });
  const reachable = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', dir]).status === 0;
  if (reachable) return dir;
  return join(OUTSIDE_ROOT, createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 16));
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster for the stack
 * folder `dir` on 127.0.0.1:`port`. Returns whether this call started it.
 */
function startPostgres({ dir, port, fast = false }) {
  mkdirSync(dir, { recursive: true });
  const root = postgresRoot(dir);
  if (root !== dir) {
    // Searchable by the postgres user all the way down; the cluster folders themselves stay 700.
    execFileSync('install', ['-d', '-m', '755', OUTSIDE_ROOT, root]);
    log(`PostgreSQL data in ${root}: the postgres user cannot reach ${dir}`);
  }
  const dataDir = join(root, 'pgdata');
  const socketDir = join(root, 'pgsocket');
  ownedDir(dataDir);
  ownedDir(socketDir);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`initialising PostgreSQL cluster in ${dataDir}`);
    const init = pgExec('initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-locale',
    ]);
    if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);
  }
  if (pgExec('pg_ctl', ['-D', dataDir, 'status']).status === 0) return false;
  const settings = [
    `-p ${port}`,
    `-k ${socketDir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=400',
    '-c shared_buffers=256MB',
    // Tests throw their data away: durability only costs time there.
    ...(fast
      ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']
      : // Development and benchmarks: statements per request/event can be read (bench/notifications.js does).
        ['-c shared_preload_libraries=pg_stat_statements']),
  ].join(' ');
  const logFile = join(socketDir, 'postgres.log');
  const start = pgExec('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', settings, '-w', '-t', '60', 'start']);
  if (start.status !== 0)
    throw new Error(`PostgreSQL did not start (see ${logFile}):\n${start.stdout}${start.stderr}`);
  log(`PostgreSQL on 127.0.0.1:${port}`);
  return true;
}

function stopPostgres({ dir }) {
  const dataDir = join(postgresRoot(dir), 'pgdata');
  if (existsSync(join(dataDir, 'postmaster.pid')))
    pgExec('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
}

/** Deletes the cluster of `dir` (stopped first), wherever it lives. */
function removePostgres({ dir }) {
  stopPostgres({ dir });
  const root = postgresRoot(dir);
  rmSync(join(root, 'pgdata'), { recursive: true, force: true });
  rmSync(join(root, 'pgsocket'), { recursive: true, force: true });
  if (root !== dir) rmSync(root, { recursive: true, force: true });
}

/** Creates each database that does not exist yet. */
function ensureDatabases({ port, databases }) {
  for (const database of databases) {
    const exists = pgExec('psql', [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'postgres',
      '-tAc',
      `SELECT 1 FROM pg_database WHERE datname = '${database}'`,
    ]);
    if (exists.status !== 0) throw new Error(`psql failed: ${exists.stderr}`);
    if (exists.stdout.trim() !== '1') {
      const created = pgExec('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database]);
      if (created.status !== 0) throw new Error(`createdb ${database} failed: ${created.stderr}`);
    }
  }
}

function redisPing(port) {
  return (
    spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], {
      encoding: 'utf8',
    }).stdout?.trim() === 'PONG'
  );
}

/** Starts redis-server under `dir` on 127.0.0.1:`port`; returns whether this call started it. */
function startRedis({ dir, port, persistent = true, fresh = false, maxmemory = '1gb' }) {
  const redisDir = join(dir, 'redis');
  mkdirSync(redisDir, { recursive: true });
  if (redisPing(port)) return false;
  // A stack that must start empty (benches: events of services a bench does not run would
  // pile up run after run, and snapshotting that backlog costs CPU in the middle of a measurement).
  if (fresh)
    for (const data of ['appendonlydir', 'dump.rdb'])
      rmSync(join(redisDir, data), { recursive: true, force: true });
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--daemonize',
    'yes',
    '--dir',
    redisDir,
    '--logfile',
    join(redisDir, 'redis.log'),
    '--pidfile',
    join(redisDir, 'redis.pid'),
    // Bounded, and never evicting (BullMQ's keys must not vanish): past the platform's
    // high-water mark (REDIS_MEMORY_HIGH_WATER) it refuses new work with 503 instead.
    '--maxmemory',
    maxmemory,
    '--maxmemory-policy',
    'noeviction',
    ...(persistent ? ['--appendonly', 'yes'] : ['--save', '', '--appendonly', 'no']),
  ];
  execFileSync('redis-server', args, { stdio: 'inherit' });
  for (let i = 0; i < 100 && !redisPing(port); i++) execFileSync('sleep', ['0.05']);
  if (!redisPing(port)) throw new Error(`Redis did not start (see ${join(redisDir, 'redis.log')})`);
  log(`Redis on 127.0.0.1:${port}`);
  return true;
}

function stopRedis({ port }) {
  spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'shutdown', 'nosave'], { encoding: 'utf8' });
}

/** A dev RSA key pair for tokens that `npm start` trusts; made once per data folder. */
function ensureDevKeys(dir) {
  const keyDir = join(dir, 'dev-keys');
  const privatePath = join(keyDir, 'private.pem');
  const publicPath = join(keyDir, 'public.pem');
  if (!existsSync(privatePath)) {
    const { generateKeyPairSync } = require('node:crypto');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    mkdirSync(keyDir, { recursive: true, mode: 0o700 });
    writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return { privatePath, publicPath };
}

module.exports = {
  log,
  ensureChromium,
  isRoot,
  ensureSystemPackages,
  startPostgres,
  stopPostgres,
  removePostgres,
  postgresRoot,
  ensureDatabases,
  startRedis,
  stopRedis,
  ensureDevKeys,
};
