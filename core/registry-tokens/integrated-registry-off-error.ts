import { ImageStreamsError } from '../errors.ts';

/** The integrated registry, or the way to hand out credentials for it, is not configured in this deployment. */
export class IntegratedRegistryOffError extends ImageStreamsError {
  constructor(message: string) {
    super('registry.off', 'NotFound', message);
  }
}
