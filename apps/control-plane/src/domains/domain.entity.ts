import { DomainStatus } from '@smartbeak/contracts';
import { BaseEntity } from '@smartbeak/persistence';
import { Column, Entity } from 'typeorm';

/** A site in the registry. Hostnames are unique per org. */
@Entity('domains')
export class DomainEntity extends BaseEntity {
  @Column({ name: 'org_id', type: 'varchar', length: 100 })
  orgId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 253 })
  hostname!: string;

  @Column({ type: 'varchar', length: 20, default: 'active' })
  status!: DomainStatus;
}
