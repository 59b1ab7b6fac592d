import { ImageStreamsError } from '../errors.ts';

/** Any delivery the service will not act on for who sent it (unknown token, bad signature, suspended receiver): one answer for all. */
export class HookNotFoundError extends ImageStreamsError {
  constructor() {
    super('hooks.not_found', 'NotFound', 'not found');
  }
}
