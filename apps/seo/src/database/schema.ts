import { postgresOptions } from '@smartbeak/persistence';
import { serviceMigrations } from '@smartbeak/runtime';
import { type DataSourceOptions } from 'typeorm';

import { SeoInitial1796223754165 } from './migrations/1796223754165-SeoInitial';

export const MIGRATIONS = serviceMigrations(SeoInitial1796223754165);

export function seoDatabaseOptions(url: string, poolSize?: number): DataSourceOptions {
  return postgresOptions({ url, migrations: MIGRATIONS, poolSize, applicationName: 'seo' });
}
