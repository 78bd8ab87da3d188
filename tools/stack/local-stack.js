// The local stack that `npm start` and `npm test` stand on: packages,
// PostgreSQL with one database per service, Redis, dev keys, built apps.
'use strict';

const { execFileSync, spawn, spawnSync } = require('node:child_process');
const { generateKeyPairSync, randomBytes } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const { ensureNodeModules } = require('./deps');
const { messageKeyring } = require('./message-keys');
const { aclPasswords, applyAcl } = require('./redis-acl');
const { SERVICES, GATEWAY } = require('./services');
const system = require('./system');

const ROOT = resolve(__dirname, '../..');

const STACK_PORTS = {
  dev: {
    pg: ['SMARTBEAK_PG_PORT', 55432],
    redis: ['SMARTBEAK_REDIS_PORT', 56379],
    s3: ['SMARTBEAK_S3_PORT', 56390],
    smtp: ['SMARTBEAK_SMTP_PORT', 56325],
    mail: ['SMARTBEAK_MAIL_PORT', 56395],
  },
  test: {
    pg: ['SMARTBEAK_TEST_PG_PORT', 55433],
    redis: ['SMARTBEAK_TEST_REDIS_PORT', 56380],
    s3: ['SMARTBEAK_TEST_S3_PORT', 56391],
    smtp: ['SMARTBEAK_TEST_SMTP_PORT', 56326],
    mail: ['SMARTBEAK_TEST_MAIL_PORT', 56396],
  },
  bench: {
    pg: ['SMARTBEAK_BENCH_PG_PORT', 55434],
    redis: ['SMARTBEAK_BENCH_REDIS_PORT', 56381],
    s3: ['SMARTBEAK_BENCH_S3_PORT', 56392],
    smtp: ['SMARTBEAK_BENCH_SMTP_PORT', 56327],
    mail: ['SMARTBEAK_BENCH_MAIL_PORT', 56397],
  },
};

/** Where a stack lives: `dev` (npm start), `test` (npm test) and `bench` never share data or ports. */
function stackSettings(kind) {
  const dataRoot = resolve(process.env.SMARTBEAK_DATA_DIR || join(ROOT, '.data'));
  const ports = STACK_PORTS[kind];
  return {
    kind,
    dir: kind === 'dev' ? dataRoot : join(dataRoot, kind),
    pgPort: Number(process.env[ports.pg[0]] || ports.pg[1]),
    redisPort: Number(process.env[ports.redis[0]] || ports.redis[1]),
    s3Port: Number(process.env[ports.s3[0]] || ports.s3[1]),
    smtpPort: Number(process.env[ports.smtp[0]] || ports.smtp[1]),
    mailPort: Number(process.env[ports.mail[0]] || ports.mail[1]),
  };
}

const BUCKET = 'smartbeak-media';

/** Dev secrets made once per data folder (the storage webhook's HMAC secret, the credential key). */
function devSecrets(dir) {
  const secret = (name, make) => {
    const file = join(dir, 'dev-keys', name);
    if (!existsSync(file)) {
      mkdirSync(join(dir, 'dev-keys'), { recursive: true, mode: 0o700 });
      writeFileSync(file, make(), { mode: 0o600 });
    }
    return readFileSync(file, 'utf8').trim();
  };
  return {
    mediaWebhook: secret('media-webhook-secret', () => randomBytes(32).toString('hex')),
    credentialKey: secret('publishing-credential-key', () => randomBytes(32).toString('base64')),
    notificationsLink: secret('notifications-link-secret', () => randomBytes(32).toString('hex')),
    // The local stand-ins' credentials: an FCM service account and Web Push (VAPID) keys of our own.
    fcmServiceAccount: secret('fcm-service-account.json', () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return JSON.stringify({
        type: 'service_account',
        project_id: 'smartbeak-local',
        client_email: 'notifications@smartbeak-local.iam.gserviceaccount.com',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      });
    }),
    vapid: JSON.parse(
      secret('vapid-keys.json', () => JSON.stringify(require('web-push').generateVAPIDKeys())),
    ),
  };
}

/**
 * The Ed25519 key pair of every signer (the gateway, each service), made once
 * per data folder: each process signs its RPCs and events with its own key and
 * trusts the others' public keys (README § Trust boundaries).
 */
function devMessageKeys(dir) {
  const file = join(dir, 'dev-keys', 'message-keys.json');
  const stored = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const signers = [GATEWAY.name, ...new Set(SERVICES.map((service) => service.app ?? service.name))];
  const ring = messageKeyring(signers, stored);
  if (Object.keys(ring.keys).length !== Object.keys(stored).length) {
    mkdirSync(join(dir, 'dev-keys'), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(ring.keys, null, 2), { mode: 0o600 });
  }
  return ring;
}

/**
 * The Redis ACL users of this stack (one per signer) and their passwords,
 * made once per data folder. The dev stack scopes keys to its prefix; test
 * and bench runs use a prefix per run, so their rules match any prefix.
 */
function redisUsers(settings) {
  const prefix = settings.kind === 'dev' ? process.env.REDIS_PREFIX || 'smartbeak' : '*';
  const file = join(settings.dir, 'dev-keys', 'redis-users.json');
  const stored = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const passwords = aclPasswords(prefix, stored);
  if (Object.keys(passwords).length !== Object.keys(stored).length) {
    mkdirSync(join(settings.dir, 'dev-keys'), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(passwords, null, 2), { mode: 0o600 });
  }
  return { prefix, passwords };
}

/** Stops an S3 server a crashed run of this stack left behind (it would hold the port). */
function stopStrayObjectStorage(settings) {
  spawnSync('pkill', ['-f', `s3-server.js --port ${settings.s3Port}$`]);
  spawnSync('pkill', ['-f', `smtp-catcher.js --smtp-port ${settings.smtpPort} `]);
}

/** Brings up everything below the services; returns what to tear down. */
function startInfrastructure(settings, { storageWebhookUrl } = {}) {
  ensureNodeModules(ROOT, system.log);
  system.ensureSystemPackages();
  const startedPostgres = system.startPostgres({
    dir: settings.dir,
    port: settings.pgPort,
    fast: settings.kind === 'test',
  });
  system.ensureDatabases({
    port: settings.pgPort,
    databases: [...new Set(SERVICES.map((s) => s.database).filter(Boolean))],
  });
  const startedRedis = system.startRedis({
    dir: settings.dir,
    port: settings.redisPort,
    persistent: settings.kind !== 'test',
    fresh: settings.kind === 'bench',
  });
  const secrets = devSecrets(settings.dir);
  const messageKeys = devMessageKeys(settings.dir);
  const users = redisUsers(settings);
  applyAcl({ port: settings.redisPort, ...users });
  const s3 = { endpoint: `http://127.0.0.1:${settings.s3Port}`, bucket: BUCKET };
  stopStrayObjectStorage(settings);
  // The port is on the command line so that a stray server of this stack can be found (see below).
  const storage = spawn(
    process.execPath,
    [join(__dirname, 's3-server.js'), '--port', String(settings.s3Port)],
    {
      env: {
        ...process.env,
        S3_PORT: String(settings.s3Port),
        S3_DIR: join(settings.dir, 's3'),
        S3_BUCKETS: BUCKET,
        ...(storageWebhookUrl
          ? { S3_WEBHOOK_URL: storageWebhookUrl, S3_WEBHOOK_SECRET: secrets.mediaWebhook }
          : {}),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const mail = {
    smtpUrl: `smtp://127.0.0.1:${settings.smtpPort}`,
    api: `http://127.0.0.1:${settings.mailPort}/messages`,
  };
  const catcher = spawn(
    process.execPath,
    [
      join(__dirname, 'smtp-catcher.js'),
      '--smtp-port',
      String(settings.smtpPort),
      '--http-port',
      String(settings.mailPort),
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return {
    databaseUrl: (database) => `postgres://postgres@127.0.0.1:${settings.pgPort}/${database}`,
    /** The default user: tools and tests. Processes connect as their own ACL user (`redisUrlFor`). */
    redisUrl: `redis://127.0.0.1:${settings.redisPort}`,
    redisUrlFor: (user) => {
      if (!users.passwords[user]) throw new Error(`no Redis ACL user ${user} (tools/stack/redis-acl.js)`);
      return `redis://${user}:${users.passwords[user]}@127.0.0.1:${settings.redisPort}`;
    },
    redisUsers: users.passwords,
    s3,
    mail,
    secrets,
    /** MESSAGE_SIGNING_KEY and MESSAGE_TRUSTED_KEYS of a signer's processes (`api-gateway`, `content`, …). */
    messageEnv: (signer) => messageKeys.env(signer),
    /** Resolves when the S3 server and the SMTP catcher answer. */
    ready: async () => {
      await waitForHttp(
        `${s3.endpoint}/${BUCKET}?max-keys=0`,
        20_000,
        () => storage.exitCode === null,
        [200, 403],
      );
      await waitForHttp(mail.api, 20_000, () => catcher.exitCode === null, [200]);
    },
    stop() {
      storage.kill('SIGTERM');
      catcher.kill('SIGTERM');
      if (startedRedis) system.stopRedis({ port: settings.redisPort });
      if (startedPostgres) system.stopPostgres({ dir: settings.dir });
    },
  };
}

function buildApps() {
  system.log('building the apps (cached after the first time)');
  execFileSync(
    'npx',
    ['nx', 'run-many', '-t', 'build', '--projects=tag:type:app', '--output-style=stream-without-prefixes'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    },
  );
}

function serviceEnv(service, infra, extra = {}) {
  return {
    ...process.env,
    ...(service.env ? service.env(infra) : {}),
    NODE_ENV: process.env.NODE_ENV || 'development',
    REDIS_URL: infra.redisUrlFor(service.app ?? service.name),
    ...infra.messageEnv(service.app ?? service.name),
    DATABASE_URL: service.database ? infra.databaseUrl(service.database) : '',
    HTTP_PORT: String(service.httpPort),
    ...extra,
  };
}

function migrateAll(infra) {
  for (const service of SERVICES.filter((s) => s.database && !s.args)) {
    execFileSync(
      process.execPath,
      [join(ROOT, 'dist/apps', service.app ?? service.name, 'main.js'), 'migrate'],
      {
        cwd: ROOT,
        stdio: 'inherit',
        env: serviceEnv(service, infra, { LOG_LEVEL: 'warn' }),
      },
    );
  }
}

/**
 * Starts one app from its build (`app`, default `name`), its output prefixed with its name,
 * on the Node running this script (`npm start` and `npm test` make that Node 24: node-runtime.js).
 */
function startApp(name, env, { app = name, args = [] } = {}) {
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', join(ROOT, 'dist/apps', app, 'main.js'), ...args],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const prefix = `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop();
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  return child;
}

async function waitForHttp(url, timeoutMs, isAlive = () => true, okStatuses = null) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`${url}: the process exited`);
    try {
      const res = await fetch(url);
      if (okStatuses ? okStatuses.includes(res.status) : res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/**
 * The local development key (PEM private key) the gateway gets as
 * DEV_SESSION_KEY when no Clerk key is set: it verifies `npm run token`
 * tokens and the console's dev sign-in. Null with a Clerk key.
 */
function devSessionKey(settings) {
  if (process.env.CLERK_JWT_KEY || process.env.CLERK_SECRET_KEY) return null;
  return readFileSync(system.ensureDevKeys(settings.dir).privatePath, 'utf8');
}

module.exports = {
  ROOT,
  SERVICES,
  GATEWAY,
  stackSettings,
  startInfrastructure,
  redisUsers,
  buildApps,
  migrateAll,
  serviceEnv,
  startApp,
  waitForHttp,
  devSessionKey,
  log: system.log,
};
