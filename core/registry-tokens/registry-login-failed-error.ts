import { ImageStreamsError } from '../errors.ts';

/**
 * Credentials for the integrated registry could not be obtained from its provider (STS, ECR): throttled
 * (429, retry after a while), unavailable (503), or refused to the service itself (503: a deployment fault,
 * never the caller's, so the message names the provider's error code and nothing of the request).
 */
export class RegistryLoginFailedError extends ImageStreamsError {
  readonly transient: boolean;
  constructor(
    kind: 'throttled' | 'unavailable' | 'refused',
    message: string,
    options?: ErrorOptions & { retryAfterSeconds?: number },
  ) {
    const retryAfterSeconds = options?.retryAfterSeconds ?? (kind === 'refused' ? undefined : 5);
    super(
      `registry.login_${kind}`,
      kind === 'throttled' ? 'TooManyRequests' : 'ServiceUnavailable',
      message,
      retryAfterSeconds === undefined ? undefined : { retryAfterSeconds },
      options,
    );
    this.transient = kind !== 'refused';
  }
}
