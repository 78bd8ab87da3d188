import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/**
 * `@Transform(toBoolean)`: `true`, `'true'` and `'1'` are true, anything else false. It reads
 * the raw setting (`obj[key]`): implicit conversion has already made any non-empty string,
 * `'false'` included, `true` by the time `value` arrives.
 */
export const toBoolean = ({
  value,
  key,
  obj,
}: {
  value: unknown;
  key: string;
  obj: Record<string, unknown>;
}) => {
  const raw = obj && key in obj ? obj[key] : value;
  return raw === true || raw === 'true' || raw === '1';
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * What every SmartBeak process reads. Service schemas extend it. Every field
 * carries an explicit type: swc emits `design:type` (which the string → number
 * conversion needs) only from annotations, never from an initialiser.
 */
export class BaseConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @IsString()
  @Matches(/^rediss?(\+cluster)?:\/\//, {
    message: 'REDIS_URL must be a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL',
  })
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  /** Prefix for every Redis key this deployment uses (RPC queues, BullMQ, rate limits). */
  @IsString()
  @Matches(/^[a-z0-9_-]{1,40}$/)
  REDIS_PREFIX: string = 'smartbeak';

  /** How long a caller waits for an RPC answer before giving up. */
  @IsInt()
  @Min(100)
  @Max(120_000)
  RPC_TIMEOUT_MS: number = 5_000;

  /**
   * This process's Ed25519 key, `<keyId>:<base64 PKCS#8 DER>`: it signs every
   * event the process sends and seals its RPC requests (a pair MAC derived from
   * it, docs/decisions/0007; README § Trust boundaries). Required to
   * serve; migrations and commands run without it.
   */
  @IsOptional()
  @IsString()
  MESSAGE_SIGNING_KEY?: string;

  /**
   * Public keys of every signer this process accepts (the gateway and each
   * service), `<signer>:<keyId>:<base64 SPKI DER>`, comma-separated. Two key
   * ids for one signer during a rotation.
   */
  @IsOptional()
  @IsString()
  MESSAGE_TRUSTED_KEYS?: string;

  /**
   * Orgs whose admins operate the platform: they may list and re-drive event
   * dead letters (and, on the gateway, open the queue dashboard). Comma-separated.
   */
  @IsOptional()
  @IsString()
  OPERATOR_ORGS?: string;

  /**
   * Share of Redis's `maxmemory` past which the platform takes no new work:
   * readiness fails and the gateway answers writes 503 (Redis runs with
   * `noeviction`, so nothing already queued is lost).
   */
  @IsNumber()
  @Min(0.1)
  @Max(1)
  REDIS_MEMORY_HIGH_WATER: number = 0.8;
}

/** A service process: its database, and the port of its /health and /metrics. */
export class ServiceConfig extends BaseConfig {
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT: number = 0;

  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE: number = 10;

  /** Named (prepared) statements; false behind a pooler that cannot carry them (PgBouncer < 1.21, transaction mode). */
  @Transform(toBoolean)
  @IsBoolean()
  DATABASE_PREPARED_STATEMENTS: boolean = true;

  /**
   * What DATABASE_URL reaches: PostgreSQL itself (`none`), or PgBouncer in transaction
   * mode (`pgbouncer`): then no session settings travel in the startup packet (PgBouncer
   * refuses them; set them on the role, README § PostgreSQL at scale) and the outbox
   * relay LISTENs only on DATABASE_LISTEN_URL.
   */
  @IsIn(['none', 'pgbouncer'])
  DATABASE_POOLER: 'none' | 'pgbouncer' = 'none';

  /**
   * A direct (session) connection for the outbox relay's LISTEN, which a transaction
   * pooler cannot carry. Unset: DATABASE_URL without a pooler; with one, the relay polls
   * (OUTBOX_POLL_MS) and does not listen.
   */
  @IsOptional()
  @IsString()
  DATABASE_LISTEN_URL?: string;

  /** How many RPC requests one replica works on at once. */
  @IsInt()
  @Min(1)
  @Max(1000)
  RPC_CONCURRENCY: number = 64;

  @IsOptional()
  @IsInt()
  @Min(50)
  @Max(60_000)
  OUTBOX_POLL_MS: number = 1_000;

  /**
   * After SIGTERM, the process exits by itself once this long has passed,
   * however its closing goes (a worker waiting on a Redis that is gone).
   */
  @IsInt()
  @Min(100)
  @Max(600_000)
  SHUTDOWN_TIMEOUT_MS: number = 15_000;
}

/** A service that calls outside (destinations, providers): the outbound guard's settings (libs/outbound). */
export class OutboundServiceConfig extends ServiceConfig {
  /** Hosts, addresses and CIDR ranges outbound calls may reach although not public (comma-separated). */
  @IsString()
  OUTBOUND_ALLOWLIST: string = '';

  /** Allow plain http destinations (local test servers); https only otherwise. */
  @Transform(toBoolean)
  @IsBoolean()
  OUTBOUND_ALLOW_HTTP: boolean = false;

  @IsInt()
  @Min(100)
  @Max(120_000)
  OUTBOUND_TIMEOUT_MS: number = 20_000;
}
