import { type IntegratedRegistry, isIntegratedHost, pullThroughRoot } from '../references/integrated-registry.ts';
import { parseRegistryReference } from '../references/registry-reference.ts';
import type { StreamState } from '../streams/types.ts';

/**
 * The repositories of the registry's pull-through cache that the streams' tags point at now (each tag's
 * current image), sorted and without repeats: what a `referencePolicy: Local` tag records in AWS. A pull
 * token for the streams covers these too, or its holder could not pull what the project tagged. Nothing
 * else of the registry (another namespace's streams, repositories outside the service's prefixes) is taken.
 */
export function cachedRepositories(registry: IntegratedRegistry, streams: readonly StreamState[]): string[] {
  const root = `${pullThroughRoot(registry)}/`;
  const found = new Set<string>();
  for (const { tags } of streams)
    for (const tag of tags) {
      const reference = tag.items[0]?.dockerImageReference;
      if (!reference) continue;
      try {
        const { host, repository } = parseRegistryReference(reference);
        if (isIntegratedHost(registry, host) && repository.startsWith(root)) found.add(repository);
      } catch {
        // A reference that does not parse names no repository to allow.
      }
    }
  return [...found].sort();
}
