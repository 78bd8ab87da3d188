import { Pool } from 'pg';

import { Database } from '../src/database';

// The test stack's PostgreSQL (`npm test` exports it); the `postgres` database is enough: nothing is written.
const SERVER = process.env['SMARTBEAK_TEST_PG_URL'];

describe('statements are prepared once per connection (real PostgreSQL)', () => {
  let pool: Pool;
  let database: Database;
  const prepared = () =>
    database.rows<{ name: string; statement: string }>(
      'SELECT name, statement FROM pg_prepared_statements ORDER BY name',
    );

  beforeAll(() => {
    if (!SERVER) throw new Error('SMARTBEAK_TEST_PG_URL is not set: run the tests through `npm test`');
    // One connection: what this test prepares is what the next query on it sees.
    pool = new Pool({ connectionString: `${SERVER}/postgres`, max: 1 });
    database = new Database(pool);
  });
  afterAll(() => pool.end());

  it('names a parameterised statement, reuses the name, and answers the same rows', async () => {
    const text = 'SELECT $1::int + 1 AS n /* prepared-spec */';
    expect(await database.rows(text, [1])).toEqual([{ n: 2 }]);
    expect(await database.rows(text, [41])).toEqual([{ n: 42 }]);
    const mine = (await prepared()).filter((p) => p.statement.includes('prepared-spec'));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.name).toMatch(/^sb_[0-9a-f]{20}$/);
  });

  it('runs a text without parameters unnamed, so it may hold several statements', async () => {
    expect(await database.run('SELECT 1; SELECT 2')).toBeGreaterThanOrEqual(0);
    expect((await prepared()).some((p) => p.statement.includes('SELECT 2'))).toBe(false);
  });

  it('prepares nothing with `prepare: false` (DATABASE_PREPARED_STATEMENTS=false, poolers without them)', async () => {
    const unprepared = new Database(pool, { prepare: false });
    const text = 'SELECT $1::text AS v /* unprepared-spec */';
    expect(await unprepared.rows(text, ['x'])).toEqual([{ v: 'x' }]);
    expect(await unprepared.transaction((tx) => tx.rows(text, ['y']))).toEqual([{ v: 'y' }]);
    expect((await prepared()).some((p) => p.statement.includes('unprepared-spec'))).toBe(false);
  });
});
