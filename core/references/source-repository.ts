import {
  InvalidReferenceError,
  isDockerHub,
  parseDockerImageReference,
  withDefaults,
} from './docker-image-reference.ts';

/**
 * The one spelling of a repository, whatever way it was written: Docker Hub's aliases and implied
 * `library/` made explicit (`nginx`, `index.docker.io/library/nginx` → `docker.io/library/nginx`), the
 * host lower-cased, tag and digest dropped. Undefined for what is not a pull spec.
 */
export function normalizeRepository(spec: string): string | undefined {
  const followed = parseFollowed(spec);
  return followed?.repository;
}

/**
 * What a tag importing from `spec` follows: its normalised repository and source tag. Undefined for a
 * digest-pinned source (a push cannot move it) and for anything unparsable.
 */
export function followedSource(spec: string): { repository: string; tag: string } | undefined {
  const followed = parseFollowed(spec);
  return followed && !followed.pinned ? { repository: followed.repository, tag: followed.tag } : undefined;
}

function parseFollowed(spec: string): { repository: string; tag: string; pinned: boolean } | undefined {
  // Hosts may be written in any case; the rest of a reference may not.
  const slash = spec.indexOf('/');
  const head = slash > 0 ? spec.slice(0, slash) : '';
  const lowered = /[.:]|^localhost$/i.test(head) ? head.toLowerCase() + spec.slice(slash) : spec;
  try {
    const ref = withDefaults(parseDockerImageReference(lowered));
    const registry = isDockerHub(ref.registry) ? 'docker.io' : ref.registry;
    const repository = [registry, ref.namespace, ref.name].filter((p) => p !== '').join('/');
    return { repository, tag: ref.tag, pinned: ref.id !== '' };
  } catch (error) {
    if (error instanceof InvalidReferenceError) return undefined;
    throw error;
  }
}
