import { randomBytes } from 'node:crypto';

import { Database } from '@smartbeak/persistence';
import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';

/**
 * The real PostgreSQL, Redis and S3-compatible server the tests run
 * against, started by `npm test` (tools/test.js), which exports where they are.
 */
export function testInfra(): {
  postgresUrl: string;
  redisUrl: string;
  s3Endpoint: string;
  s3Bucket: string;
  smtpUrl: string;
  mailApi: string;
  /** The URL of a process's own Redis ACL user (`api-gateway`, `content`, …; tools/stack/redis-acl.js). */
  redisUrlFor: (user: string) => string;
} {
  const postgresUrl = process.env['SMARTBEAK_TEST_PG_URL'];
  const redisUrl = process.env['SMARTBEAK_TEST_REDIS_URL'];
  const s3Endpoint = process.env['SMARTBEAK_TEST_S3_ENDPOINT'] ?? '';
  const s3Bucket = process.env['SMARTBEAK_TEST_S3_BUCKET'] ?? 'smartbeak-media';
  const smtpUrl = process.env['SMARTBEAK_TEST_SMTP_URL'] ?? '';
  const mailApi = process.env['SMARTBEAK_TEST_MAIL_API'] ?? '';
  if (!postgresUrl || !redisUrl) {
    throw new Error(
      'Integration tests need the test stack: run them through `npm test` (it starts PostgreSQL, Redis and S3).',
    );
  }
  const users = JSON.parse(process.env['SMARTBEAK_TEST_REDIS_USERS'] ?? '{}') as Record<string, string>;
  const redisUrlFor = (user: string) => {
    if (!users[user]) throw new Error(`no Redis ACL user ${user} in the test stack`);
    const url = new URL(redisUrl);
    url.username = user;
    url.password = users[user];
    return url.toString();
  };
  return { postgresUrl, redisUrl, s3Endpoint, s3Bucket, smtpUrl, mailApi, redisUrlFor };
}

/** Media's storage settings for the test stack's S3 server (the local server's fixed keys). */
export function testStorageEnv(): Record<string, string> {
  const { s3Endpoint, s3Bucket } = testInfra();
  return {
    S3_ENDPOINT: s3Endpoint,
    S3_BUCKET: s3Bucket,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    S3_FORCE_PATH_STYLE: 'true',
    CDN_BASE_URL: `${s3Endpoint}/${s3Bucket}`,
  };
}

export function uniqueName(label: string): string {
  return `${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database for one spec file: empty, or a copy of `template` (a
 * database already migrated once, so a platform does not migrate per spec).
 * `drop()` removes it.
 */
export async function createTestDatabase(label: string, template?: string): Promise<TestDatabase> {
  const { postgresUrl } = testInfra();
  const name = `t_${uniqueName(label)}`;
  const admin = new Client({ connectionString: `${postgresUrl}/postgres` });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
        break;
      } catch (error) {
        // Two copies of one template at the same instant: PostgreSQL refuses the second; try again.
        const busy = /is being accessed by other users/.test((error as Error).message);
        if (!template || !busy || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  return {
    name,
    url: `${postgresUrl}/${name}`,
    async drop() {
      const client = new Client({ connectionString: `${postgresUrl}/postgres` });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface MigratedTestDatabase extends TestDatabase {
  /** The service's data-access entry, as the service itself gets it. */
  database: Database;
  /** TypeORM's handle, for migration tests (up, down, up). */
  dataSource: DataSource;
}

/**
 * A fresh database migrated with a service's own migrations, for that
 * service's tests against the real PostgreSQL (apps/<service>/test/).
 * `drop()` closes the pool and removes it.
 */
export async function migratedTestDatabase(
  label: string,
  options: (url: string) => DataSourceOptions,
  { migrate = true }: { migrate?: boolean } = {},
): Promise<MigratedTestDatabase> {
  const db = await createTestDatabase(label);
  const dataSource = await new DataSource(options(db.url)).initialize();
  if (migrate) await dataSource.runMigrations({ transaction: 'each' });
  return {
    ...db,
    dataSource,
    database: Database.of(dataSource),
    async drop() {
      await dataSource.destroy();
      await db.drop();
    },
  };
}
