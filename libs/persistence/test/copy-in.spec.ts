import { randomUUID } from 'node:crypto';

import { Client, Pool } from 'pg';

import { Database } from '../src/database';

// The test stack's PostgreSQL (`npm test` exports it); not through @smartbeak/testing, which depends on this lib.
const SERVER = process.env['SMARTBEAK_TEST_PG_URL'];
const NAME = `t_persistence_copy_${randomUUID().slice(0, 8)}`;

async function admin(sql: string): Promise<void> {
  if (!SERVER) throw new Error('SMARTBEAK_TEST_PG_URL is not set: run the tests through `npm test`');
  const client = new Client({ connectionString: `${SERVER}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('Transaction.copyIn (COPY … FROM STDIN, real PostgreSQL)', () => {
  let pool: Pool;
  let database: Database;

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${NAME}`);
    pool = new Pool({ connectionString: `${SERVER}/${NAME}`, max: 2 });
    database = new Database(pool);
    await database.run(`CREATE TABLE copied (id int PRIMARY KEY, name text, at timestamptz, score float8)`);
  });
  afterAll(async () => {
    await pool.end();
    await admin(`DROP DATABASE ${NAME}`);
  });

  it('loads every value as given: escapes, NULLs, dates and numbers', async () => {
    const awkward = 'tab\there, line\nbreak, back\\slash, cr\r, \\N as text';
    await database.transaction((tx) =>
      tx.copyIn(
        'copied',
        ['id', 'name', 'at', 'score'],
        [
          [1, awkward, new Date('2026-12-02T10:00:00.000Z'), 0.125],
          [2, null, undefined, 1e-7],
          [3, 'plain', '2026-12-01T00:00:00Z', 3],
        ],
      ),
    );
    const rows = await database.rows<{ id: number; name: string | null; at: Date | null; score: number }>(
      `SELECT id, name, at, score FROM copied ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 1, name: awkward, at: new Date('2026-12-02T10:00:00.000Z'), score: 0.125 },
      { id: 2, name: null, at: null, score: 1e-7 },
      { id: 3, name: 'plain', at: new Date('2026-12-01T00:00:00.000Z'), score: 3 },
    ]);
  });

  it('is part of its transaction: a failure later rolls the copied rows back', async () => {
    await expect(
      database.transaction(async (tx) => {
        await tx.copyIn('copied', ['id', 'name'], [[10, 'kept?']]);
        await tx.run(`SELECT 1 / 0`);
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await database.one(`SELECT count(*)::int AS n FROM copied WHERE id = 10`)).toEqual({ n: 0 });
  });
});
