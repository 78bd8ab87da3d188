import { postgresOptions } from '@smartbeak/persistence';
import { serviceMigrations } from '@smartbeak/runtime';
import { type DataSourceOptions } from 'typeorm';

import { MediaInitial1764200000000 } from './migrations/1764200000000-MediaInitial';

export const MIGRATIONS = serviceMigrations(MediaInitial1764200000000);

export function mediaDatabaseOptions(url: string, poolSize?: number): DataSourceOptions {
  return postgresOptions({
    url,
    migrations: MIGRATIONS,
    poolSize,
    applicationName: 'media',
  });
}
