export interface Reply {
  status: number;
  contentType: string;
  /** The raw body, for checks on what the client can see. */
  text: string;
  /** The body parsed as JSON; `{}` when it is empty or not a JSON object. */
  body: Record<string, unknown>;
}

export interface RequestOptions {
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
}

/** Tell-tales of a stack trace in a body, raw or JSON-escaped: frames, source locations, `stack`. */
export const STACK_TRACE = /(\n|\\n)\s*at\s|\.[jt]s:\d+:\d+|node_modules|"stack"/;

export async function send(url: string, method: string, { body, headers = {}, token }: RequestOptions = {}): Promise<Reply> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, body: parseObject(text) };
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
