/** A field-level problem, reported as a Kubernetes StatusCause. */
export interface FieldCause {
  reason:
    | 'FieldValueInvalid'
    | 'FieldValueRequired'
    | 'FieldValueNotSupported'
    | 'FieldValueNotFound'
    | 'FieldValueDuplicate'
    | 'FieldValueForbidden'
    | 'FieldValueTooLong'
    | 'FieldValueTooMany';
  field: string;
  message: string;
}

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'AlreadyExists'
  | 'Conflict'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'InternalError';

export interface ErrorDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: FieldCause[];
  /** How long the client should wait before trying again (sent as Retry-After too). */
  retryAfterSeconds?: number;
}

/** Base of every error the domain raises; `code` is stable, `reason` is the Kubernetes Status reason. */
export class ImageStreamsError extends Error {
  readonly code: string;
  readonly reason: StatusReason;
  readonly details: ErrorDetails | undefined;
  constructor(code: string, reason: StatusReason, message: string, details?: ErrorDetails, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
}

export class BadRequestError extends ImageStreamsError {
  constructor(message: string, code = 'request.bad') {
    super(code, 'BadRequest', message);
  }
}

export class InvalidError extends ImageStreamsError {
  readonly causes: FieldCause[];
  constructor(kind: string, name: string, causes: FieldCause[], options?: ErrorOptions) {
    const summary = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
    super('object.invalid', 'Invalid', `${kind} "${name}" is invalid: ${summary}`, { kind, name, causes }, options);
    this.causes = causes;
  }
}

export class NotFoundError extends ImageStreamsError {
  constructor(kind: string, name: string, message = `${kind} "${name}" not found`) {
    super('object.not_found', 'NotFound', message, { kind, name });
  }
}

export class AlreadyExistsError extends ImageStreamsError {
  constructor(kind: string, name: string) {
    super('object.already_exists', 'AlreadyExists', `${kind} "${name}" already exists`, { kind, name });
  }
}

export class ConflictError extends ImageStreamsError {
  constructor(kind: string, name: string, message: string, options?: ErrorOptions) {
    super(
      'object.conflict',
      'Conflict',
      `Operation cannot be fulfilled on ${kind} "${name}": ${message}`,
      { kind, name },
      options,
    );
  }
}

/** Kubernetes' words for a write based on a resourceVersion that is no longer current. */
export const objectModifiedMessage =
  'the object has been modified; please apply your changes to the latest version and try again';

/**
 * A write based on a version of the object that is no longer current: the client's resourceVersion, or
 * what a blind write read just before another write landed. Only this conflict is worth re-reading for.
 */
export class StaleObjectError extends ConflictError {
  constructor(kind: string, name: string, options?: ErrorOptions) {
    super(kind, name, objectModifiedMessage, options);
  }
}

/** 409 for a write based on an old resourceVersion, in Kubernetes' words. */
export function staleObjectError(kind: string, name: string): StaleObjectError {
  return new StaleObjectError(kind, name);
}

/**
 * A write sent without a resourceVersion kept losing races to other writes of the same object for
 * longer than the service waits: nothing was applied, and trying again later is safe.
 */
export class TooManyConcurrentWritesError extends ImageStreamsError {
  constructor(kind: string, name: string, retryAfterSeconds: number, options?: ErrorOptions) {
    super(
      'object.contended',
      'TooManyRequests',
      `too many concurrent writes to ${kind} "${name}": this write was not applied; try again in ${retryAfterSeconds}s`,
      { kind, name, retryAfterSeconds },
      options,
    );
  }
}

export class UnauthorizedError extends ImageStreamsError {
  constructor(message = 'Unauthorized') {
    super('auth.unauthenticated', 'Unauthorized', message);
  }
}

export class ForbiddenError extends ImageStreamsError {
  constructor(message: string) {
    super('auth.forbidden', 'Forbidden', message);
  }
}

export class PayloadTooLargeError extends ImageStreamsError {
  constructor(limit: number) {
    super('request.too_large', 'RequestEntityTooLarge', `the request body is larger than ${limit} bytes`);
  }
}

export class UnsupportedMediaTypeError extends ImageStreamsError {
  constructor(accepted: readonly string[]) {
    super(
      'request.media_type',
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    );
  }
}

/** 406: none of the media types the client accepts can be served. */
export class NotAcceptableError extends ImageStreamsError {
  constructor(served: readonly string[]) {
    super(
      'request.not_acceptable',
      'NotAcceptable',
      `the server was unable to respond with a content type that the client supports: this path answers ${served.join(', ')}`,
    );
  }
}

/** 405, with the methods the path does allow (the `Allow` header). */
export class MethodNotAllowedError extends ImageStreamsError {
  readonly allowed: readonly string[];
  constructor(method: string, allowed: readonly string[], resource?: string) {
    super(
      'request.method',
      'MethodNotAllowed',
      resource
        ? `${method} is not supported on resources of kind "${resource}"`
        : `${method} is not supported on this path`,
    );
    this.allowed = allowed;
  }
}

/** An object too large for the store (DynamoDB keeps at most 400 KB per item): 413, nothing written. */
export class ObjectTooLargeError extends ImageStreamsError {
  constructor(kind: string, name: string, options?: ErrorOptions) {
    super(
      'store.too_large',
      'RequestEntityTooLarge',
      `${kind} "${name}" is too large to store (at most 400 KB per object): shorten its history, annotations, subjects or data`,
      { kind, name },
      options,
    );
  }
}

/** The store refused a request for its throughput; retrying later will do. */
export class StoreThrottledError extends ImageStreamsError {
  readonly retryable = true;
  constructor(options?: ErrorOptions) {
    super('store.throttled', 'TooManyRequests', 'the store is busy: retry later', undefined, options);
  }
}

/** Any other failure of the store; the SDK error is its `cause`, for the log only. */
export class StoreFailureError extends ImageStreamsError {
  constructor(operation: string, options?: ErrorOptions) {
    super('store.failed', 'InternalError', `the store failed to ${operation}`, undefined, options);
  }
}

/** A dependency answered with a transient failure (throttling, 5xx, timeout); the same call may succeed later. */
export class DependencyUnavailableError extends ImageStreamsError {
  readonly retryable = true;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, 'ServiceUnavailable', message, undefined, options);
  }
}
