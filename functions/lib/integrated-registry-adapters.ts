import type { ImageServer, RegistryCredentials, StreamRepositories } from '../../core/ports-registry.ts';
import { ecrRegistryOf } from '../../core/references/ecr-registry.ts';
import type { Config } from './config.ts';
import type { LazyRegistryClient } from './lazy-registry-client.ts';
import { once } from './once.ts';

/**
 * How Local tags are served, and what becomes of a deleted stream's repository, by the kind of integrated
 * registry: ECR (pull-through cache rules; an empty repository is deleted with its stream), or any other
 * registry — local mode's CNCF registry — which gets a copy (its storage stays: distribution has no API
 * to delete a repository). Both load on first use.
 */
export function integratedRegistryAdapters(
  config: Config,
  registry: LazyRegistryClient,
  serviceCredentials: () => Promise<RegistryCredentials | undefined>,
): { server?: ImageServer; repositories?: StreamRepositories } {
  const integrated = config.integratedRegistry;
  if (!integrated) return {};
  const ecr = ecrRegistryOf(integrated.host);
  if (ecr) {
    const client = once(async () =>
      (await import('../../core/adapters/ecr/ecr-client.ts')).ecrClient(ecr.region, config.ecrEndpoint),
    );
    const server = once(
      async () =>
        new (await import('../../core/adapters/ecr/ecr-pull-through-server.ts')).EcrPullThroughServer({
          client: await client(),
          registry: integrated,
          credentials: config.pullThroughCredentials,
        }),
    );
    const cleaner = once(
      async () =>
        new (await import('../../core/adapters/ecr/ecr-repository-cleaner.ts')).EcrRepositoryCleaner({
          client: await client(),
          registry: integrated,
        }),
    );
    return {
      server: { serve: async (request) => (await server()).serve(request) },
      repositories: { release: async (namespace, stream) => (await cleaner()).release(namespace, stream) },
    };
  }
  const copier = once(
    async () =>
      new (await import('../../core/adapters/registry/registry-copy-server.ts')).RegistryCopyServer({
        client: await registry.loaded(),
        registry: integrated,
        maxBytes: config.localReferenceMaxBytes,
        maxIndexEntries: config.maxManifestListEntries,
        concurrency: config.manifestListConcurrency,
        credentials: serviceCredentials,
      }),
  );
  return { server: { serve: async (request) => (await copier()).serve(request) } };
}
