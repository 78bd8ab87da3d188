import { Pool } from 'pg';

import { createTestDatabase, type TestDatabase } from '@smartbeak/testing';

import { Database } from '../src/database';

describe('Transaction.copyIn (COPY … FROM STDIN, real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let database: Database;

  beforeAll(async () => {
    db = await createTestDatabase('persistence_copy');
    pool = new Pool({ connectionString: db.url, max: 2 });
    database = new Database(pool);
    await database.run(`CREATE TABLE copied (id int PRIMARY KEY, name text, at timestamptz, score float8)`);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
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
