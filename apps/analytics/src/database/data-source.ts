// For the TypeORM CLI (migration:show …): `DATABASE_URL=… npx typeorm-ts-node-commonjs -d apps/analytics/src/database/data-source.ts …`
import 'reflect-metadata';

import { DataSource } from 'typeorm';

import { analyticsDatabaseOptions } from './schema';

export default new DataSource(
  analyticsDatabaseOptions(process.env['DATABASE_URL'] ?? 'postgres://localhost/analytics'),
);
