import { BadRequestError, InvalidError } from '../../errors.ts';
import { requireNamespace, splitStreamTag, validateStreamName, validateTagName } from '../../streams/names.ts';

/** Splits `<stream>:<tag>` from the URL, refusing names that cannot exist. */
export function requireStreamTag(namespace: string, istag: string): { stream: string; tag: string } {
  requireNamespace(namespace);
  const parts = splitStreamTag(istag);
  if (!parts) throw new BadRequestError('ImageStreamTags must be retrieved with <name>:<tag>');
  const causes = [...validateStreamName(parts.stream, namespace), ...validateTagName(parts.tag, 'metadata.name')];
  if (causes.length) throw new InvalidError('ImageStreamTag', istag, causes);
  return parts;
}
