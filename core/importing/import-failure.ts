import { ImageStreamsError } from '../errors.ts';

/** Why an import failed, with the reason OpenShift users look for on the tag's ImportSuccess condition. */
export type ImportReason =
  | 'NotFound'
  | 'Unauthorized'
  | 'Forbidden'
  | 'RateLimited'
  | 'BadRequest'
  | 'InternalError'
  | 'Timeout'
  /** A policy tag (imagestreams.dev/policy) found no tag of its repository that qualifies. */
  | 'NoMatchingTag'
  /** imagestreams.dev/verify: the new digest has no signature (issue 16). */
  | 'SignatureMissing'
  /** imagestreams.dev/verify: no signature of the new digest verifies or satisfies the policy. */
  | 'SignatureInvalid';

export class ImportFailure extends ImageStreamsError {
  readonly importReason: ImportReason;
  /** Whether trying again later may succeed (timeouts, 5xx, 429, connection errors). */
  readonly transient: boolean;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    reason: ImportReason,
    message: string,
    options: { transient?: boolean; retryAfterSeconds?: number | undefined } = {},
  ) {
    super(
      `import.${reason.toLowerCase()}`,
      reason === 'NotFound' ? 'NotFound' : reason === 'Forbidden' ? 'Forbidden' : 'BadRequest',
      message,
    );
    this.importReason = reason;
    this.transient =
      options.transient ?? (reason === 'RateLimited' || reason === 'InternalError' || reason === 'Timeout');
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
