import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A client's profile, materialised from auth's registration event; anonymised when deleted. */
@Entity({ name: 'profiles' })
export class Profile {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  /** Null only once the profile is deleted. */
  @Column('text', { nullable: true })
  email!: string | null;

  @Column('text', { nullable: true })
  name!: string | null;

  @Column('timestamptz', { name: 'registered_at' })
  registeredAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}
