// A relay in its own process, for the kill -9 test (outbox-relay.spec.ts).
import 'reflect-metadata';

import { Database } from '@smartbeak/persistence';
import { DataSource } from 'typeorm';

import { MessageKeys, OutboxRelay } from '../src';

const env = process.env as Record<string, string>;

async function main(): Promise<void> {
  const dataSource = new DataSource({ type: 'postgres', url: env['DATABASE_URL'] });
  await dataSource.initialize();
  const relay = new OutboxRelay({
    database: Database.of(dataSource),
    listenUrl: env['DATABASE_URL'],
    redisUrl: env['REDIS_URL'],
    prefix: env['REDIS_PREFIX'],
    routes: { 'test.thing.happened': [env['RELAY_QUEUE']] },
    keys: MessageKeys.parse('test', env['MESSAGE_SIGNING_KEY'], env['MESSAGE_TRUSTED_KEYS']),
    batchSize: 25,
    // A killed relay's batch is taken over after a second (30 s in production).
    claimLeaseMs: 1_000,
    pollMs: 50,
  });
  await relay.start();
  process.stdout.write('relay started\n');
  process.on(
    'SIGTERM',
    () =>
      void relay
        .stop()
        .then(() => dataSource.destroy())
        .then(() => process.exit(0)),
  );
}

void main();
