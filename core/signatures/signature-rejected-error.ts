import { ImageStreamsError } from '../errors.ts';

/** A signature that does not verify, or key material that cannot verify anything; the message says which and why. */
export class SignatureRejectedError extends ImageStreamsError {
  constructor(message: string) {
    super('signature.rejected', 'BadRequest', message);
  }
}
