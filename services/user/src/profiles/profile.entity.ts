import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A client's profile, materialised from auth's registration event. */
@Entity({ name: 'profiles' })
export class Profile {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  email!: string;

  @Column('text', { nullable: true })
  name!: string | null;

  @Column('timestamptz', { name: 'registered_at' })
  registeredAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
