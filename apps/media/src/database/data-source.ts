// For the TypeORM CLI (migration:generate / migration:show): `DATABASE_URL=… npx typeorm-ts-node-commonjs -d apps/media/src/database/data-source.ts …`
import 'reflect-metadata';

import { DataSource } from 'typeorm';

import { mediaDatabaseOptions } from './schema';

export default new DataSource(
  mediaDatabaseOptions(process.env['DATABASE_URL'] ?? 'postgres://localhost/media'),
);
