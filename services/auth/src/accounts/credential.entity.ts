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

  /** `user`, plus `admin` for administrators; carried in every access token. */
  @Column('text', { array: true, default: () => `'{user}'` })
  roles!: string[];

  /** Set when the account is deleted: it can no longer log in or refresh. */
  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
