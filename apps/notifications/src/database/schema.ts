import { postgresOptions } from '@smartbeak/persistence';
import { serviceMigrations } from '@smartbeak/runtime';
import { type DataSourceOptions } from 'typeorm';

import { NotificationsInitial1796184583877 } from './migrations/1796184583877-NotificationsInitial';
import { NotificationsInApp1796300000000 } from './migrations/1796300000000-NotificationsInApp';

export const MIGRATIONS = serviceMigrations(
  NotificationsInitial1796184583877,
  NotificationsInApp1796300000000,
);

export function notificationsDatabaseOptions(url: string, poolSize?: number): DataSourceOptions {
  return postgresOptions({ url, migrations: MIGRATIONS, poolSize, applicationName: 'notifications' });
}
