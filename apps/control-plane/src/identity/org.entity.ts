import { Column, Entity } from 'typeorm';

import { ClerkMirrorEntity } from './clerk-mirror.entity';

/** A Clerk organisation, mirrored. The id is Clerk's (`org_…`). */
@Entity('orgs')
export class OrgEntity extends ClerkMirrorEntity {
  @Column({ type: 'varchar', length: 200, nullable: true })
  name!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  slug!: string | null;
}
