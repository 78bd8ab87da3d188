// For the TypeORM CLI (migration:generate / migration:show): `DATABASE_URL=… npx typeorm-ts-node-commonjs -d apps/control-plane/src/database/data-source.ts …`
import 'reflect-metadata';

import { DataSource } from 'typeorm';

import { controlPlaneDatabaseOptions } from './schema';

export default new DataSource(
  controlPlaneDatabaseOptions(process.env['DATABASE_URL'] ?? 'postgres://localhost/control_plane'),
);
