import { CreateDateColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * UUID id and timestamps, as every table has them. Timestamps are stored at
 * millisecond precision (`timestamptz(3)`) so a JS Date round-trips exactly,
 * which keyset cursors built from them rely on.
 */
export abstract class BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}

/** Every tenant-owned row: the org, and for most the domain, it belongs to. */
export interface TenantScope {
  orgId: string;
}
export interface DomainScope extends TenantScope {
  domainId: string;
}
