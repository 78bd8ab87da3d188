import { Column, Entity } from 'typeorm';

import { ClerkMirrorEntity } from './clerk-mirror.entity';

/** A Clerk user, mirrored. The id is Clerk's (`user_…`). */
@Entity('users')
export class UserEntity extends ClerkMirrorEntity {
  @Column({ type: 'varchar', length: 320, nullable: true })
  email!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  name!: string | null;
}
