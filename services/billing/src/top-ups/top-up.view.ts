import type { Payment } from './payment.entity';

/** The 202 answer to a top-up request. It depends only on what the request created, so a replay can repeat it exactly. */
export const acceptedTopUpView = (p: Pick<Payment, 'id' | 'credits' | 'createdAt'>) => ({
  id: p.id,
  status: 'pending' as const,
  credits: p.credits,
  createdAt: p.createdAt.toISOString(),
});

export const topUpView = (p: Payment) => ({
  id: p.id,
  status: p.status,
  credits: p.credits,
  attempts: p.attempts,
  failureReason: p.failureReason,
  createdAt: p.createdAt.toISOString(),
  completedAt: p.completedAt?.toISOString() ?? null,
});
