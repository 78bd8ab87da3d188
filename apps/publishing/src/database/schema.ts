import { postgresOptions } from '@smartbeak/persistence';
import { serviceMigrations } from '@smartbeak/runtime';
import { type DataSourceOptions } from 'typeorm';

import { PublishingInitial1764400000000 } from './migrations/1764400000000-PublishingInitial';

export const MIGRATIONS = serviceMigrations(PublishingInitial1764400000000);

export function publishingDatabaseOptions(url: string, poolSize?: number): DataSourceOptions {
  return postgresOptions({
    url,
    migrations: MIGRATIONS,
    poolSize,
    applicationName: 'publishing',
  });
}
