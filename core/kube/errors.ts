import { ImageStreamsError } from '../errors.ts';

// Errors of the Kubernetes-style edge's pure parts; each maps to the Status kube-apiserver answers in the same case.

/** A patch body that is not a patch of its declared type (400, as kube-apiserver answers an undecodable patch). */
export class MalformedPatchError extends ImageStreamsError {
  constructor(message: string) {
    super('patch.malformed', 'BadRequest', message);
  }
}

/** A well-formed patch that cannot be applied to the object (422, as kube-apiserver answers a failed JSON patch). */
export class PatchNotApplicableError extends ImageStreamsError {
  constructor(message: string) {
    super('patch.not_applicable', 'Invalid', message);
  }
}

/** A patch larger than the server accepts (kube-apiserver caps JSON patches at 10,000 operations). */
export class PatchTooLargeError extends ImageStreamsError {
  constructor(message: string) {
    super('patch.too_large', 'RequestEntityTooLarge', message);
  }
}

/** A write that would rename an object, move it to another namespace or change its kind. */
export class ObjectIdentityChangedError extends ImageStreamsError {
  constructor(message: string) {
    super('object.identity_changed', 'BadRequest', message);
  }
}

/** A `continue` token that was not issued by this server for this list (kube-apiserver: 400 "invalid continue token"). */
export class InvalidContinueTokenError extends ImageStreamsError {
  constructor(why: string) {
    super('list.continue_invalid', 'BadRequest', `invalid continue token: ${why}`);
  }
}

/** A `labelSelector` or `fieldSelector` that does not parse or names an unsupported field. */
export class InvalidSelectorError extends ImageStreamsError {
  constructor(message: string) {
    super('list.selector_invalid', 'BadRequest', message);
  }
}

/** A `application/vnd.kubernetes.protobuf` body that cannot be decoded. */
export class ProtobufDecodeError extends ImageStreamsError {
  constructor(message: string) {
    super('request.protobuf', 'BadRequest', message);
  }
}

/** A query parameter with a value outside its allowed set (e.g. `includeObject`). */
export class InvalidQueryParameterError extends ImageStreamsError {
  constructor(message: string) {
    super('request.query', 'BadRequest', message);
  }
}

/** A protobuf body of a kind we have no message description for (kubectl sends JSON for every other kind). */
export class ProtobufKindUnsupportedError extends ImageStreamsError {
  constructor(apiVersion: string, kind: string) {
    super(
      'request.protobuf_kind',
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - ${apiVersion}, Kind=${kind} is accepted as application/json only`,
    );
  }
}

/**
 * `?watch=true` where no watch is served: on a kind without the watch verb, or on a platform that cannot stream
 * a response (API Gateway's HTTP API). 405 as kube-apiserver answers a verb a resource lacks; kubectl wait then
 * falls back to listing again.
 */
export class WatchNotServedError extends ImageStreamsError {
  constructor(message: string) {
    super('watch.not_served', 'MethodNotAllowed', message);
  }
}

/** Too many watches open at once on this server (429: the client backs off and tries again). */
export class TooManyWatchesError extends ImageStreamsError {
  constructor(limit: number) {
    super('watch.too_many', 'TooManyRequests', `too many watches are open on this server (at most ${limit})`, {
      retryAfterSeconds: 1,
    });
  }
}

/** A JSON patch operation that would read a write-only field (a Secret's data): reads never reveal it, patches neither. */
export class WriteOnlyFieldReadError extends ImageStreamsError {
  constructor(index: number, op: string, pointer: string, fields: readonly string[]) {
    super(
      'patch.write_only',
      'Invalid',
      `the JSON patch's operation ${index} (${op} ${JSON.stringify(pointer)}) reads ${fields.join(' and ')}, which are write-only: add, replace and remove may change them, test, copy and move may not read them`,
    );
  }
}

/** `application/apply-patch+yaml`: server-side apply is not served; kubectl's client-side apply is. */
export class ServerSideApplyUnsupportedError extends ImageStreamsError {
  constructor(accepted: readonly string[]) {
    super(
      'patch.server_side_apply',
      'UnsupportedMediaType',
      `server-side apply (application/apply-patch+yaml) is not supported: use client-side apply (kubectl apply without --server-side) - accepted media types include: ${accepted.join(', ')}`,
    );
  }
}
