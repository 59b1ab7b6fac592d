import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ErrorDetails, ImageStreamsError, type StatusReason } from '../../core/errors.ts';

const httpCodes: Record<StatusReason, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
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

/** Errors from middy's own middlewares (body parser, router) carry an HTTP status. */
function fromMiddy(error: unknown): Failure | undefined {
  if (
    !(error instanceof Error) ||
    !('statusCode' in error) ||
    typeof error.statusCode !== 'number' ||
    error.statusCode >= 500
  )
    return undefined;
  const source = (error.cause as { package?: string } | undefined)?.package;
  if (source === '@middy/http-json-body-parser') {
    return error.statusCode === 415
      ? { reason: 'UnsupportedMediaType', message: 'the request body must be sent as application/json' }
      : { reason: 'BadRequest', message: `the request body is not valid JSON: ${error.message}` };
  }
  if (source === '@middy/http-router')
    return { reason: 'NotFound', message: 'the server could not find the requested resource' };
  return { reason: reasonsByCode.get(error.statusCode) ?? 'BadRequest', message: error.message };
}

/** Turns any error into a Kubernetes Status response; a 5xx says nothing of its cause beyond the request id. */
export function errorResponse(
  error: unknown,
  requestId: string,
): { response: APIGatewayProxyStructuredResultV2; internal: boolean } {
  const known: Failure | undefined =
    error instanceof ImageStreamsError
      ? { reason: error.reason, message: error.message, details: error.details }
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
  return {
    response: { statusCode: code, headers, body: JSON.stringify(body) },
    internal: known === undefined || code >= 500,
  };
}
