import { Inject } from '@nestjs/common';

import { Database, type Sql } from './database';

/**
 * Base of every repository: SQL against the service's database, or — through
 * `in(tx)` — inside a caller's transaction. A subclass declares no
 * constructor; its methods take a scope first (see scope.ts).
 */
export abstract class Repository {
  constructor(@Inject(Database) protected readonly sql: Sql) {}

  /** This repository inside the transaction `tx`. */
  in(tx: Sql): this {
    return new (this.constructor as new (sql: Sql) => this)(tx);
  }
}
