import { type INestApplication, Module } from '@nestjs/common';
import { loadConfig, ServiceConfig } from '@smartbeak/config';
import { CommonError, healthPingPattern } from '@smartbeak/contracts';
import { MessageKeys, RpcClient, serviceCallContext } from '@smartbeak/messaging';
import { postgresOptions } from '@smartbeak/persistence';
import {
  createTestDatabase,
  freePort,
  messageKeyring,
  type TestDatabase,
  testInfra,
  uniqueName,
} from '@smartbeak/testing';
import { Client } from 'pg';

import { runService, ServiceRuntimeModule, serviceMigrations } from '../src';

describe(runService.name, () => {
  let db: TestDatabase;
  let app: INestApplication | void;

  beforeAll(async () => {
    db = await createTestDatabase('runtime');
  });
  afterAll(async () => {
    if (app) await app.close();
    await db.drop();
  });

  it('migrates with `migrate`, then serves health, metrics and the RPC ping', async () => {
    const { redisUrl } = testInfra();
    const port = await freePort();
    const prefix = uniqueName('rt');
    const ring = messageKeyring(['api-gateway', 'demo']);
    const env = {
      ...ring.env('demo'),
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'silent',
    };
    const config = loadConfig(ServiceConfig, env);
    const database = postgresOptions({
      url: db.url,
      migrations: serviceMigrations(),
    });
    @Module({ imports: [ServiceRuntimeModule.register({ service: 'demo', config, database })] })
    class DemoModule {}
    const options = {
      service: 'demo',
      config: ServiceConfig,
      env,
      module: () => ({ module: DemoModule }),
      database: () => database,
    };

    await runService(options, ['migrate']);
    const client = new Client({ connectionString: db.url });
    await client.connect();
    const tables = await client.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    );
    await client.end();
    expect(tables.rows.map((r) => r.tablename)).toEqual([
      'event_dead_letters',
      'idempotency_keys',
      'migrations',
      'outbox',
      'processed_events',
    ]);

    app = await runService(options, []);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual(
      expect.objectContaining({
        status: 'ok',
        info: { database: { status: 'up' }, redis: { status: 'up' } },
      }),
    );
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(
      /process_resident_memory_bytes/,
    );

    // The gateway's health probe: a service call, signed with the gateway's key.
    const gateway = ring.env('api-gateway');
    const keys = MessageKeys.parse('api-gateway', gateway.MESSAGE_SIGNING_KEY, gateway.MESSAGE_TRUSTED_KEYS);
    const rpc = new RpcClient({ redisUrl, prefix, timeoutMs: 2_000, keys });
    await rpc.connect();
    const ctx = serviceCallContext('system');
    expect(await rpc.send(healthPingPattern('demo'), { ctx, payload: {} })).toEqual({ ok: true });
    if (app) await app.close();
    app = undefined;
    // Gone means gone: no replica left, so the caller hears UNAVAILABLE at once.
    await expect(rpc.send(healthPingPattern('demo'), { ctx, payload: {} })).rejects.toMatchObject({
      code: CommonError.SERVICE_UNAVAILABLE,
    });
    await rpc.close();
  });
});
