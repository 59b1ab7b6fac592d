import { DeleteRepositoryCommand, type ECRClient, ListImagesCommand } from '@aws-sdk/client-ecr';
import type { RepositoryRelease, StreamRepositories } from '../../ports-registry.ts';
import { type IntegratedRegistry, streamRepositoryPath } from '../../references/integrated-registry.ts';
import { ecrFailure } from './ecr-failure.ts';

/**
 * What becomes of a deleted stream's ECR repository: deleted when it holds no image, kept otherwise (a
 * deployment may still run them; ECR's lifecycle policies or an operator decide). Never deleted with force.
 */
export class EcrRepositoryCleaner implements StreamRepositories {
  private readonly client: ECRClient;
  private readonly registry: IntegratedRegistry;

  constructor(options: { client: ECRClient; registry: IntegratedRegistry }) {
    this.client = options.client;
    this.registry = options.registry;
  }

  async release(namespace: string, stream: string): Promise<RepositoryRelease> {
    const repositoryName = streamRepositoryPath(this.registry, namespace, stream);
    try {
      const listed = await this.client.send(new ListImagesCommand({ repositoryName, maxResults: 1 }));
      if (listed.imageIds?.length) return { outcome: 'kept', repository: repositoryName, why: 'it holds images' };
      // Without force: an image pushed since the listing makes ECR refuse, and the repository stays.
      await this.client.send(new DeleteRepositoryCommand({ repositoryName }));
      return { outcome: 'deleted', repository: repositoryName };
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'RepositoryNotFoundException') return { outcome: 'absent', repository: repositoryName };
      if (name === 'RepositoryNotEmptyException')
        return { outcome: 'kept', repository: repositoryName, why: 'an image arrived while it was being deleted' };
      return {
        outcome: 'kept',
        repository: repositoryName,
        why: ecrFailure(error, `deleting ${repositoryName}`).message,
      };
    }
  }
}
