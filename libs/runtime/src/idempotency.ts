import { createHash } from 'node:crypto';

import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { CommonError, type RequestContext } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { Database } from '@smartbeak/persistence';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Failures whose outcome is unknown: anything but a domain error (handlers
 * refuse before they write, or inside a transaction that rolls back), and the
 * domain errors that say something broke on the way.
 */
function outcomeUnknown(error: unknown): boolean {
  return (
    !(error instanceof DomainError) ||
    [CommonError.INTERNAL, CommonError.SERVICE_UNAVAILABLE, CommonError.SERVICE_TIMEOUT].includes(
      error.code as CommonError,
    )
  );
}

interface KeyRow {
  fingerprint: string;
  state: 'pending' | 'done' | 'unknown';
  response: unknown;
}

/**
 * `Idempotency-Key`, enforced where the write happens: the gateway passes the
 * key with the request, and the owning service keeps it in its own database,
 * unique per org, user, operation and key. The first request claims it, runs,
 * and stores its answer; a retry gets that answer — also after the gateway
 * gave up waiting (504), since the service finished the work and kept the
 * answer. The same key with another body is refused (422). A key whose first
 * attempt failed in a way that proves nothing was written is freed; one whose
 * outcome is unknown (the process failed mid-way) stays claimed, and a retry
 * is told so (409) rather than risking a second write.
 */
@Injectable()
export class IdempotencyKeys implements NestInterceptor {
  private lastPrune = 0;

  constructor(private readonly database: Database) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const data = context
      .switchToRpc()
      .getData<{ ctx?: RequestContext; payload?: unknown; idempotencyKey?: unknown }>();
    const key = data?.idempotencyKey;
    if (typeof key !== 'string' || !data.ctx) return next.handle();
    const pattern = String(context.switchToRpc().getContext<{ getPattern(): string }>().getPattern());
    return from(this.run(data.ctx, `${data.ctx.userId}:${pattern}:${key}`, data.payload, next));
  }

  private async run(
    ctx: RequestContext,
    scopeKey: string,
    payload: unknown,
    next: CallHandler,
  ): Promise<unknown> {
    this.pruneNow();
    const fingerprint = createHash('sha256')
      .update(JSON.stringify(payload ?? null))
      .digest('base64url');
    const claimed = await this.database.rows(
      `INSERT INTO idempotency_keys (org_id, key, fingerprint) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING key`,
      [ctx.orgId, scopeKey, fingerprint],
    );
    if (!claimed.length) return this.replay(ctx.orgId, scopeKey, fingerprint);
    try {
      const response = await lastValueFrom(next.handle(), { defaultValue: null });
      await this.database.run(
        `UPDATE idempotency_keys SET state = 'done', response = $3 WHERE org_id = $1 AND key = $2`,
        [ctx.orgId, scopeKey, JSON.stringify(response ?? null)],
      );
      return response;
    } catch (error) {
      await (outcomeUnknown(error)
        ? this.database.run(`UPDATE idempotency_keys SET state = 'unknown' WHERE org_id = $1 AND key = $2`, [
            ctx.orgId,
            scopeKey,
          ])
        : this.database.run(`DELETE FROM idempotency_keys WHERE org_id = $1 AND key = $2`, [
            ctx.orgId,
            scopeKey,
          ]));
      throw error;
    }
  }

  /** Keys live a day, like the gateway's: pruned at most once an hour, by whichever request comes. */
  private pruneNow(): void {
    if (Date.now() - this.lastPrune < 3_600_000) return;
    this.lastPrune = Date.now();
    void this.database
      .run(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '1 day'`)
      .catch(() => undefined);
  }

  private async replay(orgId: string, scopeKey: string, fingerprint: string): Promise<unknown> {
    const row = await this.database.one<KeyRow>(
      `SELECT fingerprint, state, response FROM idempotency_keys WHERE org_id = $1 AND key = $2`,
      [orgId, scopeKey],
    );
    if (!row) throw new DomainError(CommonError.CONFLICT, 'This Idempotency-Key was just released; retry');
    if (row.fingerprint !== fingerprint) {
      throw new DomainError(
        CommonError.RULE_VIOLATION,
        'This Idempotency-Key was used with a different request body',
      );
    }
    if (row.state === 'done') return row.response;
    throw new DomainError(
      CommonError.CONFLICT,
      row.state === 'pending'
        ? 'A request with this Idempotency-Key is still in progress; retry shortly'
        : 'The outcome of the first request with this Idempotency-Key is unknown; check before retrying with a new key',
    );
  }
}

/**
 * On a creating RPC handler: its Idempotency-Key (sent by the gateway) is
 * held in this service's database. Per handler, not global: an interceptor
 * costs every request it wraps.
 */
export const IdempotentCommand = (): MethodDecorator => UseInterceptors(IdempotencyKeys);

/** A service's idempotency keys (kept 24 h by its retention). Add it to the service's migrations. */
export class IdempotencyKeys1765200000000 implements MigrationInterface {
  name = 'IdempotencyKeys1765200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE idempotency_keys (
        org_id varchar(100) NOT NULL,
        key varchar(600) NOT NULL,
        fingerprint varchar(64) NOT NULL,
        state varchar(10) NOT NULL DEFAULT 'pending',
        response jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, key)
      )`);
    await runner.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE idempotency_keys`);
  }
}
