// For the TypeORM CLI (migration:show …): `DATABASE_URL=… npx typeorm-ts-node-commonjs -d apps/seo/src/database/data-source.ts …`
import 'reflect-metadata';

import { DataSource } from 'typeorm';

import { seoDatabaseOptions } from './schema';

export default new DataSource(seoDatabaseOptions(process.env['DATABASE_URL'] ?? 'postgres://localhost/seo'));
