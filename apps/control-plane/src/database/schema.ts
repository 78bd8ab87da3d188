import { OutboxAndInbox1764000000000 } from '@smartbeak/messaging';
import { postgresOptions } from '@smartbeak/persistence';
import { type DataSourceOptions } from 'typeorm';

import { AuditLogEntity } from '../audit/audit-log.entity';
import { DomainEntity } from '../domains/domain.entity';
import { MembershipEntity } from '../identity/membership.entity';
import { OrgEntity } from '../identity/org.entity';
import { UserEntity } from '../identity/user.entity';
import { ControlPlaneInitial1764100000000 } from './migrations/1764100000000-ControlPlaneInitial';

export const ENTITIES = [OrgEntity, UserEntity, MembershipEntity, DomainEntity, AuditLogEntity];
export const MIGRATIONS = [OutboxAndInbox1764000000000, ControlPlaneInitial1764100000000];

export function controlPlaneDataSourceOptions(url: string, poolSize?: number): DataSourceOptions {
  return postgresOptions({
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    poolSize,
    applicationName: 'control-plane',
  });
}
