import { Column, CreateDateColumn, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A row mirrored from Clerk: Clerk's id, its last applied `updated_at`, soft deletion. */
export abstract class ClerkMirrorEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  id!: string;

  /** Clerk's `updated_at` of the last webhook applied: older ones are ignored. */
  @Column({ name: 'clerk_updated_at', type: 'bigint', nullable: true })
  clerkUpdatedAt!: string | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', precision: 3, nullable: true })
  deletedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
