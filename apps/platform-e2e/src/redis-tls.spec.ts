import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  createTestDatabase,
  freePort,
  type PrivateRedis,
  isHttpOk,
  messageKeyring,
  migrateApp,
  type RunningProcess,
  spawnApp,
  startPrivateRedis,
  type TestDatabase,
  uniqueName,
  waitFor,
} from '@smartbeak/testing';
import Redis from 'ioredis';

/** A private CA and a certificate for 127.0.0.1, made with openssl. */
function makeCertificates(dir: string): void {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=smartbeak-test-ca',
  );
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'redis.key',
    '-out',
    'redis.csr',
    '-subj',
    '/CN=127.0.0.1',
  );
  writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1');
  run(
    'x509',
    '-req',
    '-in',
    'redis.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'redis.crt',
    '-days',
    '1',
    '-extfile',
    'ext',
  );
}

/** A service reaches a Redis that speaks only TLS (`rediss://`), trusting a private CA. */
describe('Redis over TLS', () => {
  let dir: string;
  let db: TestDatabase;
  let redis: PrivateRedis | undefined;
  let service: RunningProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smartbeak-tls-'));
    makeCertificates(dir);
    db = await createTestDatabase('tls');
    await migrateApp('control-plane', db.url);
  });
  afterAll(async () => {
    await service?.stop();
    redis?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves with REDIS_URL=rediss://… and its replica announces itself over TLS', async () => {
    redis = await startPrivateRedis(
      [
        '--tls-cert-file',
        join(dir, 'redis.crt'),
        '--tls-key-file',
        join(dir, 'redis.key'),
        '--tls-ca-cert-file',
        join(dir, 'ca.crt'),
        '--tls-auth-clients',
        'no',
      ],
      { tls: true },
    );
    const { port } = redis;
    const ca = readFileSync(join(dir, 'ca.crt'));
    const probe = new Redis(`rediss://127.0.0.1:${port}`, {
      tls: { ca },
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    });
    try {
      await waitFor(async () => (await probe.ping().catch(() => '')) === 'PONG', 10_000, 'TLS redis');
      // Plain text on the TLS port gets nowhere: the service must really speak TLS.
      const plain = new Redis(`redis://127.0.0.1:${port}`, {
        maxRetriesPerRequest: 0,
        lazyConnect: true,
        retryStrategy: () => null,
      });
      await expect(plain.connect().then(() => plain.ping())).rejects.toThrow();
      plain.disconnect();

      const httpPort = await freePort();
      const prefix = uniqueName('tls');
      service = spawnApp('control-plane', {
        DATABASE_URL: db.url,
        REDIS_URL: `rediss://127.0.0.1:${port}`,
        REDIS_PREFIX: prefix,
        NODE_EXTRA_CA_CERTS: join(dir, 'ca.crt'),
        ...messageKeyring(['control-plane']).env('control-plane'),
        HTTP_PORT: String(httpPort),
      });
      await waitFor(
        () => isHttpOk(`http://127.0.0.1:${httpPort}/health/ready`),
        30_000,
        'control-plane over TLS',
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${service?.tail()}`);
      });
      expect(await probe.zcount(`${prefix}:rpc:control-plane:replicas`, Date.now(), '+inf')).toBe(1);
    } finally {
      probe.disconnect();
    }
  });
});
