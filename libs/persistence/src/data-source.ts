import { DataSource, type DataSourceOptions, type MigrationInterface } from 'typeorm';

export interface PostgresOptions {
  url: string;
  migrations: (new () => MigrationInterface)[];
  poolSize?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

/**
 * One service's database. TypeORM opens the pool and runs the migrations; no
 * entities are mapped (queries are raw SQL through `Database`, see
 * docs/decisions/0002-raw-sql.md). `synchronize` is never on.
 */
export function postgresOptions(options: PostgresOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    entities: [],
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: ['error', 'migration'],
    applicationName: options.applicationName,
    extra: {
      max: options.poolSize ?? 10,
      // A query that hangs must not hold a pool slot for ever.
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 60_000,
      connectionTimeoutMillis: 5_000,
      // Statements are prepared once per connection (database.ts), but always planned for their
      // values: a generic plan chosen while a table was small can be ruinous once it has grown.
      options: '-c plan_cache_mode=force_custom_plan',
    },
  };
}

/** Settings the pool sends in each connection's startup packet, which PgBouncer refuses. */
const SESSION_SETTINGS = ['options', 'statement_timeout', 'idle_in_transaction_session_timeout'];

/**
 * The pool's options for what DATABASE_URL reaches. Behind PgBouncer (transaction mode)
 * the session settings are the role's (ALTER ROLE … SET: README § PostgreSQL at scale);
 * a client-side query timeout stands in for statement_timeout, so nothing waits for ever.
 */
export function forPooler(options: DataSourceOptions, pooler: 'none' | 'pgbouncer'): DataSourceOptions {
  if (pooler === 'none') return options;
  const extra = { ...(options.extra as Record<string, unknown>) };
  const timeout = Number(extra['statement_timeout'] ?? 30_000);
  for (const setting of SESSION_SETTINGS) delete extra[setting];
  return { ...options, extra: { ...extra, query_timeout: timeout + 5_000 } } as DataSourceOptions;
}

/** Applies pending migrations and returns their names. */
export async function migrate(options: DataSourceOptions): Promise<string[]> {
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/** Undoes the latest migration (for `migrate:down`). */
export async function revertLastMigration(options: DataSourceOptions): Promise<void> {
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  try {
    await dataSource.undoLastMigration({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}
