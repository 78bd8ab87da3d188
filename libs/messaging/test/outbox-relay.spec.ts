import { join } from 'node:path';

import {
  createTestDatabase,
  messageKeyring,
  spawnScript,
  startPrivateRedis,
  type TestDatabase,
  testInfra,
  uniqueName,
  waitFor,
} from '@smartbeak/testing';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { Database } from '@smartbeak/persistence';
import { DataSource } from 'typeorm';

import {
  applyOnce,
  appendToOutbox,
  bullPrefix,
  EventConsumer,
  EventDeadLetters,
  MessageKeys,
  EventDeadLetters1765100000000,
  OutboxAndInbox1764000000000,
  OutboxClaims1765300000000,
  OutboxRelay,
  sealEvent,
} from '../src';

const QUEUE = 'relay-test-events';
const ROUTES = { 'test.thing.happened': [QUEUE] };
/** `test.*` events are owned by the signer `test`. */
const ring = messageKeyring(['test']);
const keys = MessageKeys.parse(
  'test',
  ring.env('test').MESSAGE_SIGNING_KEY,
  ring.env('test').MESSAGE_TRUSTED_KEYS,
);

describe(OutboxRelay.name, () => {
  const { redisUrl } = testInfra();
  let db: TestDatabase;
  let dataSource: DataSource;
  let database: Database;
  let prefix: string;

  beforeAll(async () => {
    db = await createTestDatabase('outbox');
    dataSource = new DataSource({
      type: 'postgres',
      url: db.url,
      migrations: [OutboxAndInbox1764000000000, EventDeadLetters1765100000000, OutboxClaims1765300000000],
    });
    await dataSource.initialize();
    await dataSource.runMigrations();
    database = Database.of(dataSource);
    await dataSource.query(`CREATE TABLE applied (event_id uuid NOT NULL, n int NOT NULL)`);
  });

  beforeEach(async () => {
    prefix = uniqueName('relay');
    await dataSource.query(`TRUNCATE outbox, processed_events, applied`);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  async function writeEvents(count: number, from = 0): Promise<void> {
    for (let i = from; i < from + count; i += 50) {
      await database.transaction((manager) =>
        appendToOutbox(
          manager,
          Array.from({ length: Math.min(50, from + count - i) }, (_, k) => ({
            type: 'test.thing.happened' as never,
            aggregateId: `agg-${i + k}`,
            orgId: 'org_1',
            payload: { n: i + k },
          })),
        ),
      );
    }
  }

  function consumer(): EventConsumer {
    return new EventConsumer({
      database,
      redisUrl,
      prefix,
      queue: QUEUE,
      consumer: 'test',
      keys,
      deadLetters: new EventDeadLetters(database),
      concurrency: 16,
      handlers: {
        'test.thing.happened': async (event, manager) => {
          await manager.run(`INSERT INTO applied (event_id, n) VALUES ($1, $2)`, [
            event.id,
            event.payload['n'],
          ]);
        },
      },
    });
  }

  const appliedCount = async () =>
    Number((await dataSource.query(`SELECT count(*)::int AS n FROM applied`))[0].n);

  it('does not deliver an event whose transaction rolled back', async () => {
    await database
      .transaction(async (manager) => {
        await appendToOutbox(manager, [
          { type: 'test.thing.happened' as never, aggregateId: 'x', orgId: 'o', payload: {} },
        ]);
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect(Number((await dataSource.query(`SELECT count(*)::int AS n FROM outbox`))[0].n)).toBe(0);
  });

  it('delivers committed events to their queue once, with the event id as job id', async () => {
    await writeEvents(30);
    const relay = new OutboxRelay({
      database,
      listenUrl: db.url,
      redisUrl,
      prefix,
      routes: ROUTES,
      keys,
      pollMs: 100,
    });
    await relay.start();
    const events = consumer();
    await events.start();
    try {
      await waitFor(async () => (await appliedCount()) === 30, 15_000, '30 applied events');
      const rows: { event_id: string; id: string }[] = await dataSource.query(
        `SELECT a.event_id, o.id FROM applied a JOIN outbox o ON o.id = a.event_id`,
      );
      expect(rows).toHaveLength(30);
      const pending = await dataSource.query(
        `SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`,
      );
      expect(pending[0].n).toBe(0);
    } finally {
      await events.stop();
      await relay.stop();
    }
  });

  it('prunes relayed outbox rows and inbox entries past their retention, keeping recent ones', async () => {
    await dataSource.query(
      `INSERT INTO outbox (id, type, aggregate_id, org_id, payload, relayed_at)
       VALUES (gen_random_uuid(), 'test.old', 'x', 'o', '{}', now() - interval '8 days'),
              (gen_random_uuid(), 'test.recent', 'x', 'o', '{}', now() - interval '1 day')`,
    );
    await dataSource.query(
      `INSERT INTO processed_events (consumer, event_id, processed_at)
       VALUES ('test', gen_random_uuid(), now() - interval '31 days'), ('test', gen_random_uuid(), now() - interval '29 days')`,
    );
    const relay = new OutboxRelay({
      database,
      listenUrl: db.url,
      redisUrl,
      prefix,
      routes: ROUTES,
      keys,
      pollMs: 100,
    });
    await relay.start();
    try {
      await waitFor(
        async () =>
          (
            await dataSource.query(`SELECT count(*)::int AS n FROM processed_events WHERE consumer = 'test'`)
          )[0].n === 1,
        10_000,
        'the old inbox entry pruned',
      );
      expect(
        (await dataSource.query(`SELECT type FROM outbox ORDER BY type`)).map(
          (r: { type: string }) => r.type,
        ),
      ).toEqual(['test.recent']);
    } finally {
      await relay.stop();
    }
  });

  it('applies a redelivered event once (BullMQ job id and the inbox)', async () => {
    await writeEvents(5);
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE, { connection, prefix: bullPrefix(prefix) });
    // As if a relay had enqueued them (signed) and died before marking them relayed:
    const rows: { id: string }[] = await dataSource.query(`SELECT id FROM outbox`);
    for (const { id } of rows)
      await queue.add(
        'test.thing.happened',
        sealEvent(keys, {
          id,
          type: 'test.thing.happened',
          aggregateId: 'x',
          orgId: 'org_1',
          domainId: null,
          occurredAt: new Date().toISOString(),
          payload: { n: -1 },
        }),
        { jobId: id },
      );
    const relay = new OutboxRelay({
      database,
      listenUrl: db.url,
      redisUrl,
      prefix,
      routes: ROUTES,
      keys,
      pollMs: 100,
    });
    await relay.start();
    await waitFor(
      async () =>
        (await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`))[0].n === 0,
      10_000,
      'relay',
    );
    await relay.stop();
    expect(await queue.count()).toBe(5); // the second add of each id changed nothing
    const events = consumer();
    await events.start();
    await waitFor(async () => (await appliedCount()) === 5, 10_000, 'five applied');
    // And a copy that slips past BullMQ (after its retention) is stopped by the inbox:
    expect(
      await applyOnce(database, 'test', rows[0].id, async () => {
        throw new Error('applied twice');
      }),
    ).toBe(false);
    await events.stop();
    await queue.close();
    connection.disconnect();
  });

  it('loses nothing and applies nothing twice when the relay is killed -9 again and again', async () => {
    const total = 600;
    const script = join(__dirname, 'relay-process.ts');
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      RELAY_QUEUE: QUEUE,
      ...ring.env('test'),
    };
    const events = consumer();
    await events.start();
    const writing = writeEvents(total);
    try {
      for (let round = 0; round < 4; round++) {
        const relay = spawnScript(script, env);
        await waitFor(
          async () => relay.output.join('').includes('relay started'),
          20_000,
          'relay process',
        ).catch((error) => {
          throw new Error(`${error.message}\n${relay.tail()}`);
        });
        await new Promise((r) => setTimeout(r, 150 + round * 100));
        await relay.crash();
      }
      await writing;
      const last = spawnScript(script, env);
      await waitFor(async () => (await appliedCount()) >= total, 60_000, `${total} applied`);
      await last.stop();
      const stats = await dataSource.query(
        `SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM applied`,
      );
      expect(stats[0]).toEqual({ n: total, d: total });
      const missing = await dataSource.query(
        `SELECT count(*)::int AS n FROM outbox o LEFT JOIN applied a ON a.event_id = o.id WHERE a.event_id IS NULL`,
      );
      expect(missing[0].n).toBe(0);
    } finally {
      await writing.catch(() => undefined);
      await events.stop();
    }
  });

  it('lets two relays run side by side without double delivery', async () => {
    await writeEvents(200);
    const relays = [0, 1].map(
      () =>
        new OutboxRelay({
          database,
          listenUrl: db.url,
          redisUrl,
          prefix,
          routes: ROUTES,
          keys,
          batchSize: 20,
          pollMs: 50,
        }),
    );
    const added: string[] = [];
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker(QUEUE, async (job) => void added.push(job.id as string), {
      connection,
      prefix: bullPrefix(prefix),
      concurrency: 20,
    });
    await Promise.all(relays.map((r) => r.start()));
    await waitFor(async () => added.length >= 200, 15_000, '200 jobs');
    await new Promise((r) => setTimeout(r, 300));
    await Promise.all(relays.map((r) => r.stop()));
    await worker.close();
    connection.disconnect();
    expect(added).toHaveLength(200);
    expect(new Set(added).size).toBe(200);
  });

  it('holds no database transaction open while it waits on Redis', async () => {
    // A Redis of this test's own, whose writes it can pause without stalling anyone else.
    const server = await startPrivateRedis();
    const url = server.url;
    const admin = new Redis(url, { maxRetriesPerRequest: null });
    await writeEvents(5);
    const relay = new OutboxRelay({
      database,
      listenUrl: db.url,
      redisUrl: url,
      prefix,
      routes: ROUTES,
      keys,
    });
    try {
      await admin.call('CLIENT', 'PAUSE', '1500', 'WRITE');
      await relay.start();
      // The batch is claimed and its delivery waits on Redis: no session sits in a transaction meanwhile.
      await waitFor(
        async () =>
          (await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE claimed_until IS NOT NULL`))[0]
            .n === 5,
        5_000,
        'the batch claimed',
      );
      const waiting = await dataSource.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`,
      );
      expect(waiting[0].n).toBe(0);
      await waitFor(
        async () =>
          (await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`))[0].n ===
          0,
        10_000,
        'relayed once Redis writes again',
      );
    } finally {
      await relay.stop();
      admin.disconnect();
      server.stop();
    }
  });
});
