import { CliError } from './cli-error.ts';

/** A Kubernetes Status the server answered with (reference kubernetes-api.md §11). */
export interface Status {
  kind?: string;
  status?: string;
  reason?: string;
  message?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[] };
}

/**
 * The server refused a request. Printed as kubectl and oc print it: `Error from server (<reason>): <message>`,
 * or `error: You must be logged in to the server (Unauthorized)` for a 401 (an expired or wrong token).
 */
export class ApiStatusError extends CliError {
  readonly httpStatus: number;
  readonly status: Status;

  constructor(httpStatus: number, status: Status) {
    const reason = status.reason || reasonFor(httpStatus);
    const message = status.message || `the server answered HTTP ${httpStatus}`;
    const line =
      httpStatus === 401
        ? `error: You must be logged in to the server (${status.message || 'Unauthorized'})`
        : `Error from server (${reason}): ${message}`;
    super(`api.${reason}`, line, { verbatim: true });
    this.name = 'ApiStatusError';
    this.httpStatus = httpStatus;
    this.status = status;
  }

  get reason(): string {
    return this.status.reason || reasonFor(this.httpStatus);
  }
}

function reasonFor(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    409: 'Conflict',
    413: 'RequestEntityTooLarge',
    415: 'UnsupportedMediaType',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[code] ?? 'Unknown';
}
