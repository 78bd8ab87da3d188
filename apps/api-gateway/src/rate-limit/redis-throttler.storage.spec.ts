import { eventually, testInfra, uniqueName } from '@smartbeak/testing';
import Redis from 'ioredis';

import { RedisThrottlerStorage } from './redis-throttler.storage';

const MINUTE = 60_000;

describe('RedisThrottlerStorage (real Redis: two gateway replicas counting one user)', () => {
  const prefix = uniqueName('throttle');
  const clients: Redis[] = [];
  const storages: RedisThrottlerStorage[] = [];

  function replica(): { storage: RedisThrottlerStorage; redis: Redis } {
    const redis = new Redis(testInfra().redisUrlFor('api-gateway'));
    const storage = new RedisThrottlerStorage(redis, prefix);
    clients.push(redis);
    storages.push(storage);
    return { storage, redis };
  }

  const keyOf = (user: string) => `${prefix}:ratelimit:default:${user}`;

  afterAll(async () => {
    await Promise.all(storages.map((storage) => storage.beforeApplicationShutdown()));
    clients.forEach((redis) => redis.disconnect());
  });

  it("counts a user's hits in memory between syncs and adds them to Redis within a sync interval", async () => {
    const { storage, redis } = replica();
    const user = uniqueName('user');
    const totals: number[] = [];
    for (let i = 0; i < 50; i++)
      totals.push((await storage.increment(user, MINUTE, 1000, 0, 'default')).totalHits);
    expect(totals).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // Asked on the same connection right after the burst: only the window's first hit went to Redis yet.
    expect(Number(await redis.get(keyOf(user)))).toBe(1);
    await eventually(async () => expect(Number(await redis.get(keyOf(user)))).toBe(50));
    const ttl = await redis.pttl(keyOf(user));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(MINUTE);
  });

  it("keeps one replica's limit exact, and says how long to wait", async () => {
    const { storage } = replica();
    const user = uniqueName('user');
    for (let i = 1; i <= 5; i++) {
      const record = await storage.increment(user, MINUTE, 5, 0, 'default');
      expect(record).toMatchObject({ totalHits: i, isBlocked: false });
    }
    const refused = await storage.increment(user, MINUTE, 5, 0, 'default');
    expect(refused.isBlocked).toBe(true);
    expect(refused.timeToBlockExpire).toBeGreaterThan(0);
    expect(refused.timeToBlockExpire).toBeLessThanOrEqual(60);
  });

  it("lets a user through as many times as the limit across replicas, once each has the other's count", async () => {
    const a = replica();
    const b = replica();
    const user = uniqueName('user');
    for (let i = 0; i < 4; i++)
      expect((await a.storage.increment(user, MINUTE, 10, 0, 'default')).isBlocked).toBe(false);
    await eventually(async () => expect(Number(await a.redis.get(keyOf(user)))).toBe(4));

    let admittedByB = 0;
    for (let i = 0; i < 10; i++) {
      if (!(await b.storage.increment(user, MINUTE, 10, 0, 'default')).isBlocked) admittedByB++;
    }
    expect(admittedByB).toBe(6);
    await eventually(async () =>
      expect((await a.storage.increment(user, MINUTE, 10, 0, 'default')).isBlocked).toBe(true),
    );
  });

  it('adds the hits counted since the last sync before the gateway stops', async () => {
    const { storage, redis } = replica();
    const user = uniqueName('user');
    for (let i = 0; i < 7; i++) await storage.increment(user, MINUTE, 100, 0, 'default');
    await storage.beforeApplicationShutdown();
    expect(Number(await redis.get(keyOf(user)))).toBe(7);
  });

  it('lets requests through when Redis cannot be reached (fail open)', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => undefined);
    const storage = new RedisThrottlerStorage(unreachable, prefix);
    storages.push(storage);
    const record = await storage.increment(uniqueName('user'), MINUTE, 1, 0, 'default');
    expect(record.isBlocked).toBe(false);
    unreachable.disconnect();
  });
});
