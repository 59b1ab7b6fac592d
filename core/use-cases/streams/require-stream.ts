import { InvalidError } from '../../errors.ts';
import { requireNamespace, validateStreamName } from '../../streams/names.ts';

/** Refuses a namespace or stream name that cannot exist, before anything is read. */
export function requireStream(namespace: string, name: string): void {
  requireNamespace(namespace);
  const causes = validateStreamName(name, namespace);
  if (causes.length) throw new InvalidError('ImageStream', name, causes);
}
