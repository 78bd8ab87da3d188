import { type INestApplication, Controller, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { loadConfig, ServiceConfig } from '@smartbeak/config';
import { CommonError, type RequestContext } from '@smartbeak/contracts';
import { MessageKeys, RpcClient } from '@smartbeak/messaging';
import { Database, postgresOptions } from '@smartbeak/persistence';
import {
  createTestDatabase,
  eventually,
  freePort,
  messageKeyring,
  type TestDatabase,
  testInfra,
  uniqueName,
} from '@smartbeak/testing';
import { Client } from 'pg';
import { type MigrationInterface, type QueryRunner } from 'typeorm';

import { IdempotentCommand, runService, ServiceRuntimeModule, serviceMigrations } from '../src';

class Things1765200000001 implements MigrationInterface {
  name = 'Things1765200000001';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE things (id serial PRIMARY KEY, org_id text NOT NULL, name text NOT NULL)`,
    );
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE things`);
  }
}

/** A creating handler slower than its caller's patience. */
@Controller()
class ThingsHandler {
  constructor(private readonly database: Database) {}

  @MessagePattern('demo.thing.create')
  @IdempotentCommand()
  async create(
    @Payload('ctx') ctx: RequestContext,
    @Payload('payload') payload: { name: string; slowMs?: number },
  ): Promise<{ id: number; name: string }> {
    await new Promise((resolve) => setTimeout(resolve, payload.slowMs ?? 0));
    const [row] = await this.database.rows<{ id: number; name: string }>(
      `INSERT INTO things (org_id, name) VALUES ($1, $2) RETURNING id, name`,
      [ctx.orgId, payload.name],
    );
    return row!;
  }
}

describe('Idempotency-Key in the owning service', () => {
  let db: TestDatabase;
  let app: INestApplication | void;
  let rpc: RpcClient;

  const ctx: RequestContext = {
    userId: 'user_1',
    orgId: 'org_1',
    domainId: null,
    permissions: [],
    requestId: 'r1',
  };

  beforeAll(async () => {
    db = await createTestDatabase('idempotency');
    const { redisUrl } = testInfra();
    const prefix = uniqueName('idem');
    const ring = messageKeyring(['api-gateway', 'demo']);
    const env = {
      ...ring.env('demo'),
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      HTTP_PORT: String(await freePort()),
      LOG_LEVEL: 'silent',
    };
    const config = loadConfig(ServiceConfig, env);
    const database = postgresOptions({
      url: db.url,
      migrations: serviceMigrations(Things1765200000001),
    });
    @Module({
      imports: [ServiceRuntimeModule.register({ service: 'demo', config, database, relay: false })],
      controllers: [ThingsHandler],
    })
    class DemoModule {}
    const options = {
      service: 'demo',
      config: ServiceConfig,
      env,
      module: () => ({ module: DemoModule }),
      database: () => database,
    };
    await runService(options, ['migrate']);
    app = await runService(options, []);
    const gateway = ring.env('api-gateway');
    rpc = new RpcClient({
      redisUrl,
      prefix,
      timeoutMs: 2_000,
      keys: MessageKeys.parse('api-gateway', gateway.MESSAGE_SIGNING_KEY, gateway.MESSAGE_TRUSTED_KEYS),
    });
    await rpc.connect();
  });

  afterAll(async () => {
    await rpc?.close();
    if (app) await app.close();
    await db.drop();
  });

  async function things(): Promise<number> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(`SELECT count(*)::int AS n FROM things`)).rows[0].n;
    } finally {
      await client.end();
    }
  }

  it('never writes twice for a key, even when the caller gave up waiting (504) and retried', async () => {
    const send = (payload: object, timeoutMs?: number) =>
      rpc.send<{ id: number }>('demo.thing.create', { ctx, payload, idempotencyKey: 'key-1' }, timeoutMs);

    // The first attempt outlives the caller's patience: the outcome is unknown to it.
    await expect(send({ name: 'a', slowMs: 2_000 }, 200)).rejects.toMatchObject({
      code: CommonError.SERVICE_TIMEOUT,
    });
    // A retry while it still runs is told so; once it is done, the retry gets the first answer.
    await expect(send({ name: 'a', slowMs: 2_000 })).rejects.toMatchObject({ code: CommonError.CONFLICT });
    const first = await eventually(() => send({ name: 'a', slowMs: 2_000 }));
    expect(await send({ name: 'a', slowMs: 2_000 })).toEqual(first);
    expect(await things()).toBe(1);

    // The same key with another body is refused; without a key, each request writes.
    await expect(send({ name: 'b' })).rejects.toMatchObject({ code: CommonError.RULE_VIOLATION });
    await rpc.send('demo.thing.create', { ctx, payload: { name: 'c' } });
    expect(await things()).toBe(2);
    // Keys are per org: another org's request with the same key is its own.
    await rpc.send('demo.thing.create', {
      ctx: { ...ctx, orgId: 'org_2' },
      payload: { name: 'a' },
      idempotencyKey: 'key-1',
    });
    expect(await things()).toBe(3);
  });
});
