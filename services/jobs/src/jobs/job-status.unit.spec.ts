import { canMove, isTerminal, JOB_STATUSES, statusesBefore, TERMINAL_STATUSES } from './job-status';

describe('job status machine', () => {
  it('never leaves a terminal status', () => {
    for (const from of TERMINAL_STATUSES) {
      for (const to of JOB_STATUSES) expect(canMove(from, to)).toBe(false);
    }
  });

  it('follows the lifecycle pending → queued → running → succeeded', () => {
    expect(canMove('pending', 'queued')).toBe(true);
    expect(canMove('queued', 'running')).toBe(true);
    expect(canMove('running', 'succeeded')).toBe(true);
  });

  it('refuses to go backwards, except a running job handed back to the queue for a retry', () => {
    expect(canMove('queued', 'pending')).toBe(false);
    expect(canMove('running', 'pending')).toBe(false);
    expect(canMove('running', 'queued')).toBe(true);
  });

  it('rejects only pending jobs and cancels only unfinished ones', () => {
    expect(statusesBefore('rejected')).toEqual(['pending']);
    expect([...statusesBefore('canceled')].sort()).toEqual(['pending', 'queued', 'running']);
    expect(isTerminal('queued')).toBe(false);
  });
});
