import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A user's membership of an org, with Clerk's role (`org:admin`, `org:member`, …). */
@Entity('memberships')
export class MembershipEntity {
  @PrimaryColumn({ name: 'org_id', type: 'varchar', length: 100 })
  orgId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 100 })
  userId!: string;

  @Column({ type: 'varchar', length: 100 })
  role!: string;

  @Column({ name: 'clerk_updated_at', type: 'bigint', nullable: true })
  clerkUpdatedAt!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
