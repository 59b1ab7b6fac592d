import type { ObjectReference } from './types.ts';

/** Where an ImageStreamTag / ImageStreamImage source lives, and which tag or image id it names. */
export interface StreamSource {
  namespace: string;
  stream: string;
  tag?: string;
  id?: string;
}

/**
 * Reads `<tag>` | `<stream>:<tag>` (ImageStreamTag) or `<id>` | `<stream>@<id>` (ImageStreamImage);
 * a bare tag or id refers to the stream being written. Undefined for DockerImage or a malformed name.
 */
export function streamSourceOf(from: ObjectReference, namespace: string, stream: string): StreamSource | undefined {
  const ns = from.namespace || namespace;
  if (from.kind === 'ImageStreamTag') {
    const parts = from.name.split(':');
    if (from.name.includes('@') || parts.length > 2 || parts.some((p) => p === '')) return undefined;
    return parts.length === 1
      ? { namespace: ns, stream, tag: parts[0] }
      : { namespace: ns, stream: parts[0] ?? '', tag: parts[1] };
  }
  if (from.kind === 'ImageStreamImage') {
    const parts = from.name.split('@');
    if (parts.length > 2 || parts.some((p) => p === '')) return undefined;
    return parts.length === 1
      ? { namespace: ns, stream, id: parts[0] }
      : { namespace: ns, stream: parts[0] ?? '', id: parts[1] };
  }
  return undefined;
}

/** True when the source is a tag of this very stream: such tags track their target (aliases). */
export function isSameStreamTag(
  from: ObjectReference | undefined,
  namespace: string,
  stream: string,
): string | undefined {
  if (from?.kind !== 'ImageStreamTag') return undefined;
  const source = streamSourceOf(from, namespace, stream);
  return source && source.namespace === namespace && source.stream === stream ? source.tag : undefined;
}
