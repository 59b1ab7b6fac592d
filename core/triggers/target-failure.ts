import { ImageStreamsError } from '../errors.ts';

/** A target refused or could not take a delivery; `permanent` when trying again would not help (access denied, not found, 4xx). */
export class TargetFailure extends ImageStreamsError {
  readonly permanent: boolean;
  /** Delivery attempts made before giving up. */
  attempts = 1;
  constructor(message: string, permanent: boolean, options?: ErrorOptions) {
    super('trigger.delivery_failed', 'BadRequest', message, undefined, options);
    this.permanent = permanent;
  }
}
