import { parseDockerImageReference } from '../references/docker-image-reference.ts';
import type { TagEvent, TagReference } from '../streams/types.ts';
import { policyAnnotation } from './policy-annotations.ts';

/**
 * The source tag a policy tag's history entry came from. A policy import records its pull spec as
 * `repository:tag@digest` (still one string in openshift/api's TagEvent, and pullable: the digest
 * wins), so the tag is read back from there; undefined for entries of tags without a policy.
 */
export function sourceTagOf(spec: TagReference | null | undefined, item: TagEvent | undefined): string | undefined {
  if (!item || spec?.annotations?.[policyAnnotation] === undefined) return undefined;
  try {
    const ref = parseDockerImageReference(item.dockerImageReference);
    return ref.tag && ref.id ? ref.tag : undefined;
  } catch {
    return undefined;
  }
}
