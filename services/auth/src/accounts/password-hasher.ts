import * as bcrypt from 'bcrypt';

/**
 * bcrypt hashing with a configured cost. `verify` against no hash still spends one full
 * comparison, so a login for an unknown email takes as long as one with a wrong password.
 */
export class PasswordHasher {
  private readonly decoy: string;

  constructor(private readonly rounds: number) {
    this.decoy = bcrypt.hashSync('decoy password that matches nothing', rounds);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.rounds);
  }

  async verify(password: string, hash: string | undefined): Promise<boolean> {
    const matches = await bcrypt.compare(password, hash ?? this.decoy);
    return matches && hash !== undefined;
  }
}
