import {
  createTestDatabase,
  freePort,
  isHttpOk,
  messageKeyring,
  migrateApp,
  spawnApp,
  startPrivateRedis,
  type TestDatabase,
  uniqueName,
  waitFor,
} from '@smartbeak/testing';

describe('a service told to stop after its Redis went away', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('shutdown');
    await migrateApp('content', db.url);
  });
  afterAll(() => db?.drop());

  it('exits within SHUTDOWN_TIMEOUT_MS instead of hanging on its queue workers', async () => {
    // A Redis of its own, to pull from under the service.
    const redis = await startPrivateRedis();
    const httpPort = await freePort();
    const service = spawnApp('content', {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: uniqueName('shutdown'),
      ...messageKeyring(['content']).env('content'),
      HTTP_PORT: String(httpPort),
      SHUTDOWN_TIMEOUT_MS: '2000',
    });
    try {
      await waitFor(() => isHttpOk(`http://127.0.0.1:${httpPort}/health/ready`), 30_000, 'content');
      redis.stop();
      await new Promise((resolve) => redis.process.once('exit', resolve));
      const started = Date.now();
      service.child.kill('SIGTERM');
      const code = await Promise.race([
        new Promise<number | null>((resolve) => service.child.once('exit', (c) => resolve(c))),
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000)),
      ]);
      expect(code).not.toBe('hung');
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(service.tail()).not.toMatch(/Unhandled error event/);
    } finally {
      redis.stop();
      await service.stop(1_000);
    }
  });
});
