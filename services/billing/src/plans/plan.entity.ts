import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A plan is data: how many jobs may run at once, and the credits a new account starts with. */
@Entity({ name: 'plans' })
export class Plan {
  @PrimaryColumn('text')
  name!: string;

  @Column('integer', { name: 'max_concurrent_jobs' })
  maxConcurrentJobs!: number;

  @Column('integer', { name: 'starter_credits' })
  starterCredits!: number;
}
