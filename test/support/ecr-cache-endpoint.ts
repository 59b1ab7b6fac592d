import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EcrCall {
  operation: string;
  input: Record<string, any>;
}

export interface EcrCacheEndpoint {
  url: string;
  calls: EcrCall[];
  /** Pull-through cache rules by ecrRepositoryPrefix, as ECR would hold them. */
  rules: Map<string, { upstreamRegistryUrl: string; upstreamRegistry?: string; credentialArn?: string }>;
  /** ARNs of the Secrets Manager secrets that exist: a rule naming another gets SecretNotFoundException. */
  secrets: Set<string>;
  /** Repositories and the image digests they hold. */
  repositories: Map<string, string[]>;
  /** Operations answered with this error type until cleared (ThrottlingException, AccessDeniedException…). */
  failing: Map<string, string>;
  /** Answers CreatePullThroughCacheRule as if another instance had just created the rule. */
  racing: boolean;
  stop(): Promise<void>;
}

/**
 * A loopback endpoint speaking ECR's JSON 1.1 protocol (`X-Amz-Target:
 * AmazonEC2ContainerRegistry_V20150921.<Op>`) for pull-through cache rules and repository deletion, with
 * ECR's own error types for what it refuses.
 */
export async function startEcrCacheEndpoint(): Promise<EcrCacheEndpoint> {
  const calls: EcrCall[] = [];
  const rules: EcrCacheEndpoint['rules'] = new Map();
  const secrets = new Set<string>();
  /** ECR reads the secret when a rule is created or changed to name it. */
  const missingSecret = (credentialArn: unknown) => credentialArn !== undefined && !secrets.has(String(credentialArn));
  const repositories: EcrCacheEndpoint['repositories'] = new Map();
  const failing = new Map<string, string>();
  const state = { racing: false };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const input = text ? (JSON.parse(text) as Record<string, any>) : {};
    const [prefix, operation = ''] = String(req.headers['x-amz-target'] ?? '').split('.');
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
    const error = (type: string, message: string) => send(400, { __type: type, message });
    if (prefix !== 'AmazonEC2ContainerRegistry_V20150921') return error('UnknownOperationException', String(prefix));
    calls.push({ operation, input });
    const failure = failing.get(operation);
    if (failure) return error(failure, `${operation} refused by the test: ${failure}`);
    switch (operation) {
      case 'DescribePullThroughCacheRules': {
        const wanted: string[] | undefined = input.ecrRepositoryPrefixes;
        const found = [...rules].filter(([p]) => !wanted || wanted.includes(p));
        if (wanted && found.length === 0)
          return error('PullThroughCacheRuleNotFoundException', `no rule for ${wanted.join(', ')}`);
        return send(200, {
          pullThroughCacheRules: found.map(([ecrRepositoryPrefix, rule]) => ({
            ecrRepositoryPrefix,
            registryId: '123456789012',
            ...rule,
          })),
        });
      }
      case 'CreatePullThroughCacheRule': {
        const { ecrRepositoryPrefix, upstreamRegistryUrl, upstreamRegistry, credentialArn } = input;
        if (
          typeof ecrRepositoryPrefix !== 'string' ||
          ecrRepositoryPrefix.length < 2 ||
          ecrRepositoryPrefix.length > 30
        )
          return error('ValidationException', 'ecrRepositoryPrefix must be 2 to 30 characters');
        const rule = { upstreamRegistryUrl, upstreamRegistry, ...(credentialArn ? { credentialArn } : {}) };
        if (rules.has(ecrRepositoryPrefix) || state.racing) {
          rules.set(ecrRepositoryPrefix, rule);
          return error('PullThroughCacheRuleAlreadyExistsException', `a rule for ${ecrRepositoryPrefix} exists`);
        }
        if (missingSecret(credentialArn)) return error('SecretNotFoundException', `no secret ${credentialArn}`);
        rules.set(ecrRepositoryPrefix, rule);
        return send(200, { ecrRepositoryPrefix, registryId: '123456789012', ...rule });
      }
      case 'UpdatePullThroughCacheRule': {
        const { ecrRepositoryPrefix, credentialArn } = input;
        const rule = rules.get(ecrRepositoryPrefix);
        if (!rule) return error('PullThroughCacheRuleNotFoundException', `no rule for ${ecrRepositoryPrefix}`);
        if (!credentialArn)
          return error(
            'InvalidParameterException',
            'Please set either credential arn or role arn to update the credentials',
          );
        if (missingSecret(credentialArn)) return error('SecretNotFoundException', `no secret ${credentialArn}`);
        rules.set(ecrRepositoryPrefix, { ...rule, credentialArn });
        return send(200, { ecrRepositoryPrefix, registryId: '123456789012', credentialArn });
      }
      case 'ListImages': {
        const images = repositories.get(input.repositoryName);
        if (!images) return error('RepositoryNotFoundException', `no repository ${input.repositoryName}`);
        return send(200, {
          imageIds: images.slice(0, input.maxResults ?? 100).map((imageDigest) => ({ imageDigest })),
        });
      }
      case 'DeleteRepository': {
        const images = repositories.get(input.repositoryName);
        if (!images) return error('RepositoryNotFoundException', `no repository ${input.repositoryName}`);
        if (images.length && !input.force)
          return error('RepositoryNotEmptyException', `${input.repositoryName} holds images`);
        repositories.delete(input.repositoryName);
        return send(200, { repository: { repositoryName: input.repositoryName } });
      }
    }
    return error('UnknownOperationException', operation);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    rules,
    secrets,
    repositories,
    failing,
    get racing() {
      return state.racing;
    },
    set racing(value: boolean) {
      state.racing = value;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
