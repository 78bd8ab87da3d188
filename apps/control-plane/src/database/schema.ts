import { postgresOptions } from '@smartbeak/persistence';
import { serviceMigrations } from '@smartbeak/runtime';
import { type DataSourceOptions } from 'typeorm';

import { ControlPlaneInitial1764100000000 } from './migrations/1764100000000-ControlPlaneInitial';
import { MembershipPermissions1796200000000 } from './migrations/1796200000000-MembershipPermissions';

export const MIGRATIONS = serviceMigrations(
  ControlPlaneInitial1764100000000,
  MembershipPermissions1796200000000,
);

export function controlPlaneDatabaseOptions(url: string, poolSize?: number): DataSourceOptions {
  return postgresOptions({
    url,
    migrations: MIGRATIONS,
    poolSize,
    applicationName: 'control-plane',
  });
}
