/** RFC 9457 problem details, as every Conveyor service answers an error. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  [extension: string]: unknown;
}

/**
 * A non-2xx answer. `code` is the service's stable error code (`JOBS.JOB_NOT_FOUND`,
 * `RATE_LIMIT.EXCEEDED`…); switch on it, not on the message.
 */
export class ConveyorApiError extends Error {
  override readonly name = 'ConveyorApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    readonly problem: Problem,
    readonly method: string,
    readonly url: string,
  ) {
    super(`${method} ${url} answered ${status} ${code}: ${problem.detail ?? problem.title ?? ''}`.trim());
  }

  static async from(response: Response, method: string, url: string): Promise<ConveyorApiError> {
    return ConveyorApiError.fromText(response.status, await response.text().catch(() => ''), method, url);
  }

  /** From an answer's status and its body's text. */
  static fromText(status: number, text: string, method: string, url: string): ConveyorApiError {
    let problem: Problem = { status, code: codeForStatus(status), detail: text.slice(0, 500) };
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && typeof (parsed as Problem).code === 'string') {
        problem = { ...(parsed as Problem), status };
      }
    } catch {
      // not JSON: keep the text as the detail
    }
    return new ConveyorApiError(status, problem.code, problem, method, url);
  }
}

/** The answer's codes for errors that came from no Conveyor service (a proxy, a stub). */
function codeForStatus(status: number): string {
  if (status === 401) return 'AUTH.UNAUTHENTICATED';
  if (status === 429) return 'REQUEST.RATE_LIMITED';
  if (status === 503) return 'SERVICE.UNAVAILABLE';
  return status >= 500 ? 'INTERNAL' : 'REQUEST.INVALID';
}
