// For the TypeORM CLI (migration:generate / migration:show): `DATABASE_URL=… npx typeorm-ts-node-commonjs -d apps/publishing/src/database/data-source.ts …`
import 'reflect-metadata';

import { DataSource } from 'typeorm';

import { publishingDatabaseOptions } from './schema';

export default new DataSource(
  publishingDatabaseOptions(process.env['DATABASE_URL'] ?? 'postgres://localhost/publishing'),
);
