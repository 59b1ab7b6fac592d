import { ImageStreamsError } from '../errors.ts';

/** A policy annotation that cannot be used; `annotation` names the key at fault. */
export class TagPolicyError extends ImageStreamsError {
  readonly annotation: string;
  /** The message without the annotation's name, for a field cause that names it already. */
  readonly detail: string;
  constructor(annotation: string, detail: string) {
    super('policy.invalid', 'Invalid', `${annotation}: ${detail}`);
    this.annotation = annotation;
    this.detail = detail;
  }
}
