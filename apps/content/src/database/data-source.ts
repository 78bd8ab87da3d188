// For the TypeORM CLI (migration:generate / migration:show): `DATABASE_URL=… npx typeorm-ts-node-commonjs -d apps/content/src/database/data-source.ts …`
import 'reflect-metadata';

import { DataSource } from 'typeorm';

import { contentDataSourceOptions } from './schema';

export default new DataSource(
  contentDataSourceOptions(process.env['DATABASE_URL'] ?? 'postgres://localhost/content'),
);
