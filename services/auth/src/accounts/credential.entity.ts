import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A client account's login identity. The password is only ever stored as a bcrypt hash. */
@Entity({ name: 'credentials' })
export class Credential {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  email!: string;

  @Column('text', { nullable: true })
  name!: string | null;

  @Column('text', { name: 'password_hash' })
  passwordHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
