import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ErrorDetails, ImageStreamsError, MethodNotAllowedError, type StatusReason } from '../../core/errors.ts';
import { resourceTable } from './resource-table.ts';

const httpCodes: Record<StatusReason, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
};

const reasonsByCode = new Map<number, StatusReason>([
  [400, 'BadRequest'],
  [401, 'Unauthorized'],
  [403, 'Forbidden'],
  [404, 'NotFound'],
  [405, 'MethodNotAllowed'],
  [406, 'NotAcceptable'],
  [409, 'Conflict'],
  [413, 'RequestEntityTooLarge'],
  [415, 'UnsupportedMediaType'],
  [422, 'Invalid'],
  [429, 'TooManyRequests'],
  [503, 'ServiceUnavailable'],
]);

interface Failure {
  reason: StatusReason;
  message: string;
  details?: ErrorDetails | undefined;
}

/** Errors from middy's own middlewares (the body parser) carry an HTTP status. */
function fromMiddy(error: unknown): Failure | undefined {
  if (
    !(error instanceof Error) ||
    !('statusCode' in error) ||
    typeof error.statusCode !== 'number' ||
    error.statusCode >= 500
  )
    return undefined;
  const source = (error.cause as { package?: string } | undefined)?.package;
  if (source === '@middy/http-json-body-parser')
    return { reason: 'BadRequest', message: `the request body is not valid JSON: ${error.message}` };
  return { reason: reasonsByCode.get(error.statusCode) ?? 'BadRequest', message: error.message };
}

const groups = new Map<string, string>(resourceTable.map((r) => [r.plural, r.group]));

/**
 * The domain names kinds by their plural (`imagestreams "x" not found`); Kubernetes adds the group
 * (`imagestreams.image.openshift.io "x" not found`, details.group), which kubectl prints as is.
 */
function qualified(failure: Failure): Failure {
  const details = failure.details;
  const group = details?.kind === undefined ? undefined : groups.get(details.kind);
  if (!details?.kind || !group || details.group !== undefined) return failure;
  const plain = `${details.kind} "${details.name ?? ''}"`;
  return {
    ...failure,
    message: failure.message.replace(plain, `${details.kind}.${group} "${details.name ?? ''}"`),
    details: { ...details, group },
  };
}

/** Turns any error into a Kubernetes Status response; a 5xx says nothing of its cause beyond the request id. */
export function errorResponse(
  error: unknown,
  requestId: string,
): { response: APIGatewayProxyStructuredResultV2; internal: boolean } {
  const known: Failure | undefined =
    error instanceof ImageStreamsError
      ? qualified({ reason: error.reason, message: error.message, details: error.details })
      : fromMiddy(error);
  const failure = known ?? {
    reason: 'InternalError' as const,
    message: `Internal error occurred: see the service log for request ${requestId}`,
  };
  const code = httpCodes[failure.reason];
  const body = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: failure.message,
    reason: failure.reason,
    ...(failure.details ? { details: failure.details } : {}),
    code,
  };
  const retryAfter = failure.details?.retryAfterSeconds;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  if (error instanceof MethodNotAllowedError) headers.allow = error.allowed.join(', ');
  return {
    response: { statusCode: code, headers, body: JSON.stringify(body) },
    internal: known === undefined || code >= 500,
  };
}
