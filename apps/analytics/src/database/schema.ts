import { postgresOptions } from '@smartbeak/persistence';
import { serviceMigrations } from '@smartbeak/runtime';
import { type DataSourceOptions } from 'typeorm';

import { AnalyticsInitial1796199120957 } from './migrations/1796199120957-AnalyticsInitial';
import { AnalyticsLiveHourIndex1796210000000 } from './migrations/1796210000000-AnalyticsLiveHourIndex';

export const MIGRATIONS = serviceMigrations(
  AnalyticsInitial1796199120957,
  AnalyticsLiveHourIndex1796210000000,
);

export function analyticsDatabaseOptions(url: string, poolSize?: number): DataSourceOptions {
  return postgresOptions({ url, migrations: MIGRATIONS, poolSize, applicationName: 'analytics' });
}
