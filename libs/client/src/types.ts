/** The shapes of Conveyor's public HTTP API, as the services' READMEs describe them. */

export type JobStatus = 'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'rejected';
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'canceled', 'rejected'];
export const isTerminal = (status: JobStatus): boolean => TERMINAL_JOB_STATUSES.includes(status);

export interface Job<Result = unknown> {
  id: string;
  type: string;
  status: JobStatus;
  input: Record<string, unknown>;
  metadata: Record<string, unknown> | null;
  webhookUrl: string | null;
  /** Why billing refused the job (`insufficient_credits`, `concurrency_limit`, `billing_timeout`). */
  reason: string | null;
  error: { code: string; message: string } | null;
  result: Result | null;
  attempts: number;
  createdAt: string;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  statusUrl: string;
  /** Quote it to support: the job's distributed trace. */
  traceId: string | null;
}

/** What `image.transform` jobs leave as `result`: a description of the stored file. */
export interface FileResult {
  format: string;
  width: number;
  height: number;
  contentType: string;
  bytes: number;
  downloadUrl: string;
  signedUrl?: string;
  signedUrlExpiresAt?: string;
}

export type ImageOperation =
  | { op: 'resize'; width?: number; height?: number; fit?: 'cover' | 'contain' | 'fill' | 'inside' | 'outside'; withoutEnlargement?: boolean; background?: string }
  | { op: 'thumbnail'; size: number }
  | { op: 'crop'; left: number; top: number; width: number; height: number }
  | { op: 'rotate'; angle: number; background?: string }
  | { op: 'flip'; direction: 'vertical' | 'horizontal' }
  | { op: 'grayscale' }
  | { op: 'blur'; sigma: number }
  | { op: 'format'; format: 'jpeg' | 'png' | 'webp' | 'avif'; quality?: number };

interface SubmitCommon {
  metadata?: Record<string, unknown>;
  webhookUrl?: string;
  /** Sent as `Idempotency-Key`; one is made up when not given, and reused by every retry. */
  idempotencyKey?: string;
}

export type SubmitJobRequest = SubmitCommon &
  (
    | { type: 'echo'; input: { delayMs?: number; transientFailures?: number; failWith?: string; [field: string]: unknown } }
    | { type: 'image.transform'; input: { imageUrl: string; operations: ImageOperation[] } }
    | { type: 'vendor.call'; input: { vendor: string; payload: unknown } }
    | { type: string & {}; input: Record<string, unknown> }
  );

export interface UploadImageJobRequest extends SubmitCommon {
  operations: ImageOperation[];
  /** The image's bytes. */
  file: Uint8Array | Blob;
  filename?: string;
  contentType?: string;
}

export interface SubmittedJob {
  id: string;
  status: JobStatus;
  statusUrl: string;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListJobsQuery {
  status?: JobStatus;
  type?: string;
  limit?: number;
  cursor?: string;
}

/** One status change, as the SSE streams send it. */
export interface JobEvent {
  /** The log id: resume a stream after it with `Last-Event-ID`. */
  id: string;
  jobId: string;
  type: string;
  status: JobStatus;
  at: string;
}

export interface RegisteredUser {
  id: string;
  email: string;
  name: string | null;
  createdAt: string;
}

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

export type ApiKeyScope = 'jobs:read' | 'jobs:write';

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  lastUsedAt?: string | null;
}

/** Only the answer that creates a key shows the key itself. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

export interface Balance {
  available: number;
  reserved: number;
  plan: string;
  maxConcurrentJobs: number;
}

export interface LedgerEntry {
  id: string;
  kind: 'grant' | 'top_up' | 'reserve' | 'capture' | 'release';
  amount: number;
  held: number;
  jobId: string | null;
  paymentId: string | null;
  note: string | null;
  createdAt: string;
}

export interface TopUp {
  id: string;
  status: 'pending' | 'succeeded' | 'failed';
  credits: number;
  createdAt: string;
  attempts?: number;
  failureReason?: string | null;
  completedAt?: string | null;
}

export interface PlanChange {
  userId: string;
  plan: string;
  maxConcurrentJobs: number;
  revision: number;
}

export interface CreditGrant {
  id: string;
  userId: string;
  credits: number;
  note: string | null;
  /** The account's available credits after the grant. */
  available: number;
  createdAt: string;
}

export interface WebhookEndpointRequest {
  url: string;
  eventTypes?: string[];
  description?: string;
  rateLimitPerSecond?: number;
  ordered?: boolean;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  kind: 'subscription' | 'job_url';
  status: string;
  eventTypes: string[];
  [field: string]: unknown;
}

export interface SecretRotation {
  secret: string;
  previousSecretExpiresAt: string | null;
}

export interface WebhookDelivery {
  endpointId: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  finishedAt: string | null;
}

export interface WebhookMessage {
  id: string;
  /** The `webhook-id` header its requests carry. */
  webhookId: string;
  eventType: string;
  eventId: string | null;
  subject: string;
  createdAt: string;
  deliveries: WebhookDelivery[];
}

export interface WebhookAttempt {
  endpointId: string;
  number: number;
  startedAt: string;
  finishedAt: string | null;
  outcome: 'succeeded' | 'failed' | 'lost' | null;
  statusCode: number | null;
  durationMs: number | null;
  responseBody: string | null;
  error: string | null;
}
