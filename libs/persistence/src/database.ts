import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { type Pool, type PoolClient, type QueryResultRow } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { type DataSource } from 'typeorm';

/**
 * Anything that runs SQL: the pool, or one open transaction. Repositories
 * take it so the same method works alone or inside a caller's transaction.
 *
 * Every statement is a raw, parameterised SQL string and the caller names the
 * row type it reads back (docs/decisions/0002-raw-sql.md says why).
 */
export interface Sql {
  /** The rows a statement returns — for `UPDATE … RETURNING` and `DELETE … RETURNING` too. */
  rows<T extends QueryResultRow>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** The first row, if any. */
  one<T extends QueryResultRow>(text: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** How many rows the statement touched. */
  run(text: string, params?: readonly unknown[]): Promise<number>;
}

type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;

/** At most this many distinct statements are prepared per process; others run unnamed. */
const PREPARED_CAPACITY = 2_000;
const preparedNames = new Map<string, string>();

export interface DatabaseOptions {
  /**
   * Named statements (prepared once per connection, then only bound and
   * executed: PostgreSQL parses each once; the services' pools plan each
   * execution for its values, `plan_cache_mode=force_custom_plan`).
   * Off for a pooler that cannot carry them (PgBouncer before 1.21 in
   * transaction mode): DATABASE_PREPARED_STATEMENTS=false.
   */
  prepare?: boolean;
}

/** A statement as pg sends it: named when `prepare` is on and it has parameters. */
function statement(
  text: string,
  values: readonly unknown[],
  prepare: boolean,
): { text: string; values: unknown[]; name?: string } {
  // Without parameters pg uses the simple protocol, where a text may hold several statements.
  if (!values.length || !prepare) return { text, values: values as unknown[] };
  let name = preparedNames.get(text);
  if (!name && preparedNames.size < PREPARED_CAPACITY) {
    name = `sb_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    preparedNames.set(text, name);
  }
  return name ? { name, text, values: values as unknown[] } : { text, values: values as unknown[] };
}

class Executor implements Sql {
  constructor(
    protected readonly target: Queryable,
    protected readonly prepare: boolean,
  ) {}

  async rows<T extends QueryResultRow>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.target.query<T>(statement(text, params, this.prepare));
    return result.rows;
  }

  async one<T extends QueryResultRow>(text: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.rows<T>(text, params))[0];
  }

  async run(text: string, params: readonly unknown[] = []): Promise<number> {
    const result = await this.target.query(statement(text, params, this.prepare));
    return result.rowCount ?? 0;
  }
}

/** One open transaction (`Database.transaction`). */
export interface Transaction extends Sql {
  /**
   * Runs `effect` once the transaction has committed (never if it rolls
   * back): for side effects outside the database, such as queueing a job for
   * a row written here. An effect that throws is logged, not rethrown — the
   * data is committed; a sweep must cover a lost effect.
   */
  afterCommit(effect: () => unknown): void;
  /**
   * Loads `rows` into `table (columns)` with `COPY … FROM STDIN`: the fastest
   * bulk load PostgreSQL has (a staging table for a large upsert, say).
   * Values: null/undefined → NULL, Date → ISO text, anything else its text.
   */
  copyIn(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
}

const COPY_SPECIAL = /[\\\t\n\r]/;

/** A value in COPY's text format: backslash, tab and line breaks escaped, `\N` for NULL. */
function copyText(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === null || value === undefined) return '\\N';
  const text = value instanceof Date ? value.toISOString() : String(value);
  if (!COPY_SPECIAL.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

class TransactionExecutor extends Executor implements Transaction {
  readonly effects: (() => unknown)[] = [];

  constructor(
    private readonly client: PoolClient,
    prepare: boolean,
  ) {
    super(client, prepare);
  }

  afterCommit(effect: () => unknown): void {
    this.effects.push(effect);
  }

  async copyIn(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly unknown[])[],
  ): Promise<void> {
    const lines = Readable.from(
      (function* () {
        for (let i = 0; i < rows.length; i += 1000) {
          const end = Math.min(rows.length, i + 1000);
          let chunk = '';
          for (let r = i; r < end; r++)
            chunk += `${(rows[r] as readonly unknown[]).map(copyText).join('\t')}\n`;
          yield chunk;
        }
      })(),
    );
    await pipeline(lines, this.client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
  }
}

/**
 * A service's database: the pg pool that TypeORM opened for it (TypeORM runs
 * the migrations; queries go straight to the pool). The only thing a service
 * injects to reach its tables.
 */
export class Database extends Executor {
  constructor(
    readonly pool: Pool,
    options: DatabaseOptions = {},
  ) {
    super(pool, options.prepare ?? true);
  }

  /** The pool under an initialised TypeORM DataSource (wiring only). */
  static of(dataSource: DataSource, options: DatabaseOptions = {}): Database {
    const pool = (dataSource.driver as unknown as { master?: Pool }).master;
    if (!pool) throw new Error('the DataSource is not initialised: no pool to use');
    return new Database(pool, options);
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx = new TransactionExecutor(client, this.prepare);
    let broken = false;
    let result: T;
    try {
      await client.query('BEGIN');
      result = await work(tx);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      // A connection whose rollback failed is in an unknown state: drop it.
      client.release(broken ? true : undefined);
    }
    // Committed, and the connection is back in the pool: now the effects outside the database.
    for (const effect of tx.effects) {
      try {
        await effect();
      } catch (error) {
        console.error(`after-commit effect failed: ${(error as Error)?.message ?? String(error)}`);
      }
    }
    return result;
  }
}
