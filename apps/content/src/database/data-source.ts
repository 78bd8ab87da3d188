// For the TypeORM CLI (migration:generate / migration:show): `DATABASE_URL=… npx typeorm-ts-node-commonjs -d apps/content/src/database/data-source.ts …`
import 'reflect-metadata';

import { DataSource } from 'typeorm';

import { contentDatabaseOptions } from './schema';

export default new DataSource(
  contentDatabaseOptions(process.env['DATABASE_URL'] ?? 'postgres://localhost/content'),
);
