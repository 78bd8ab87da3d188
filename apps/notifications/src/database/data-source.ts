// For the TypeORM CLI (migration:show …): `DATABASE_URL=… npx typeorm-ts-node-commonjs -d apps/notifications/src/database/data-source.ts …`
import 'reflect-metadata';

import { DataSource } from 'typeorm';

import { notificationsDatabaseOptions } from './schema';

export default new DataSource(
  notificationsDatabaseOptions(process.env['DATABASE_URL'] ?? 'postgres://localhost/notifications'),
);
