import { type MediaStatus } from '@smartbeak/contracts';
import { BaseEntity } from '@smartbeak/persistence';
import { Column, Entity } from 'typeorm';

const bigintAsNumber = {
  to: (value: number | null) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

@Entity('media_assets')
export class MediaAssetEntity extends BaseEntity {
  @Column({ name: 'org_id', type: 'varchar', length: 100 })
  orgId!: string;

  @Column({ name: 'domain_id', type: 'uuid' })
  domainId!: string;

  /** As the user named it (shown back); the storage key uses a sanitised copy. */
  @Column({ type: 'varchar', length: 255 })
  filename!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 255 })
  contentType!: string;

  @Column({ name: 'declared_size', type: 'bigint', transformer: bigintAsNumber })
  declaredSize!: number;

  @Column({ name: 'actual_size', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  actualSize!: number | null;

  /** The object's ETag as storage reported it. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  checksum!: string | null;

  @Column({ name: 'storage_key', type: 'varchar', length: 1024 })
  storageKey!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: MediaStatus;

  @Column({ name: 'cdn_url', type: 'text', nullable: true })
  cdnUrl!: string | null;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason!: string | null;

  @Column({ name: 'upload_expires_at', type: 'timestamptz', precision: 3 })
  uploadExpiresAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', precision: 3, nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', precision: 3, nullable: true })
  deletedAt!: Date | null;

  @Column({ name: 'object_deleted_at', type: 'timestamptz', precision: 3, nullable: true })
  objectDeletedAt!: Date | null;
}
