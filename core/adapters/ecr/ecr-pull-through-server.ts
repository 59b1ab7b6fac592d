import {
  CreatePullThroughCacheRuleCommand,
  DescribePullThroughCacheRulesCommand,
  type ECRClient,
  UpdatePullThroughCacheRuleCommand,
} from '@aws-sdk/client-ecr';
import { refusedToServe } from '../../importing/local-reference.ts';
import type { ImageServer, ServeRequest, ServeResult } from '../../ports-registry.ts';
import { ecrRegistryOf } from '../../references/ecr-registry.ts';
import { type IntegratedRegistry, isIntegratedHost } from '../../references/integrated-registry.ts';
import { ecrFailure } from './ecr-failure.ts';
import {
  type PullThroughUpstream,
  pullThroughPrefix,
  pullThroughUpstream,
  secretLocation,
} from './pull-through-upstreams.ts';

export interface EcrPullThroughServerOptions {
  client: ECRClient;
  /** The deployment's ECR registry (`<account>.dkr.ecr.<region>.amazonaws.com/<prefix>`). */
  registry: IntegratedRegistry;
  /**
   * The Secrets Manager secret ARN of each upstream that ECR reaches only with credentials, by alias
   * (IMAGESTREAMS_PULL_THROUGH_CREDENTIALS). One rule serves every namespace, so its secret must see public
   * images only.
   */
  credentials?: Readonly<Record<string, string>> | undefined;
}

/**
 * AWS's `referencePolicy: Local`: the tag records `<registry>/<rule prefix>/<upstream repository>@<digest>`,
 * which ECR fills from the upstream on first pull through a pull-through cache rule for that upstream. The
 * rule is found (DescribePullThroughCacheRules) or created on first use, once per upstream and instance.
 * Upstreams that need a secret are served when the deployment names one for them; a rule found with another
 * secret is updated to the configured one (the setting is what the operator means now).
 */
export class EcrPullThroughServer implements ImageServer {
  private readonly options: EcrPullThroughServerOptions;
  /** Rules known to exist, by prefix; a failed check is forgotten so the next import asks again. */
  private readonly rules = new Map<string, Promise<ServeResult | undefined>>();

  constructor(options: EcrPullThroughServerOptions) {
    this.options = options;
  }

  async serve(request: ServeRequest): Promise<ServeResult> {
    const { registry } = this.options;
    const { source, digest } = request;
    // Already in the integrated registry (pushed to a stream): nothing to cache.
    if (isIntegratedHost(registry, source.host))
      return { ok: true, dockerImageReference: `${registry.host}/${source.repository}@${digest}` };
    const upstream = pullThroughUpstream(source.host);
    if (!upstream)
      return refusedToServe(
        'UnsupportedUpstream',
        `${source.host} is not served by ECR pull-through cache (it caches Docker Hub, Quay, GitHub, GitLab, ECR Public, registry.k8s.io, Azure and ECR registries)`,
      );
    if (upstream.needs === 'role')
      return refusedToServe(
        'UpstreamNeedsCredentials',
        `ECR pull-through cache reaches ${source.host} only with an IAM role per rule, which this deployment does not set up yet`,
      );
    const credentialArn = upstream.needs === 'secret' ? this.options.credentials?.[upstream.alias] : undefined;
    if (upstream.needs === 'secret' && !credentialArn)
      return refusedToServe(
        'UpstreamNeedsCredentials',
        `ECR pull-through cache reaches ${source.host} only with a Secrets Manager secret; the deployment names none for it (IMAGESTREAMS_PULL_THROUGH_CREDENTIALS=${upstream.alias}=<secret ARN>)`,
      );
    const misplaced = credentialArn && this.misplaced(credentialArn);
    if (misplaced) return refusedToServe('InvalidCredential', misplaced);
    const prefix = pullThroughPrefix(registry, upstream);
    if (!prefix)
      return refusedToServe(
        'InvalidRulePrefix',
        `the pull-through cache rule prefix for ${upstream.alias} would be longer than ECR's 30 characters; use a shorter registry prefix`,
      );
    const problem = await this.ensureRule(prefix, upstream, credentialArn);
    if (problem) return problem;
    return { ok: true, dockerImageReference: `${registry.host}/${prefix}/${source.repository}@${digest}` };
  }

  /** Why ECR would refuse the secret: it must be in the rule's account and region. */
  private misplaced(credentialArn: string): string | undefined {
    const secret = secretLocation(credentialArn);
    const ecr = ecrRegistryOf(this.options.registry.host);
    if (!secret || !ecr || (secret.account === ecr.accountId && secret.region === ecr.region)) return undefined;
    return `the pull-through cache secret ${credentialArn} is in account ${secret.account}, region ${secret.region}; ECR takes only a secret of its own account and region (${ecr.accountId}, ${ecr.region})`;
  }

  /** Finds or creates the rule; a refusal to say why, or undefined once it exists. */
  private ensureRule(
    prefix: string,
    upstream: PullThroughUpstream,
    credentialArn: string | undefined,
  ): Promise<ServeResult | undefined> {
    let known = this.rules.get(prefix);
    if (!known) {
      known = this.findOrCreate(prefix, upstream, credentialArn);
      this.rules.set(prefix, known);
      known.then(
        (problem) => problem && this.rules.delete(prefix),
        () => this.rules.delete(prefix),
      );
    }
    return known;
  }

  private async findOrCreate(
    prefix: string,
    upstream: PullThroughUpstream,
    credentialArn: string | undefined,
  ): Promise<ServeResult | undefined> {
    const { client } = this.options;
    try {
      const found = await client
        .send(new DescribePullThroughCacheRulesCommand({ ecrRepositoryPrefixes: [prefix] }))
        .catch((error: { name?: string }) => {
          if (error.name === 'PullThroughCacheRuleNotFoundException') return { pullThroughCacheRules: [] };
          throw error;
        });
      const rule = found.pullThroughCacheRules?.find((r) => r.ecrRepositoryPrefix === prefix);
      if (rule) {
        if (rule.upstreamRegistryUrl !== upstream.url)
          return refusedToServe(
            'RuleConflict',
            `the pull-through cache rule ${prefix} exists for ${rule.upstreamRegistryUrl}, not ${upstream.url}`,
          );
        // A secret changed in the setting (rotated to a new secret, say) takes effect on the rule.
        if (credentialArn && rule.credentialArn !== credentialArn)
          await client.send(new UpdatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: prefix, credentialArn }));
        return undefined;
      }
      await client
        .send(
          new CreatePullThroughCacheRuleCommand({
            ecrRepositoryPrefix: prefix,
            upstreamRegistryUrl: upstream.url,
            upstreamRegistry: upstream.upstreamRegistry as never,
            ...(credentialArn ? { credentialArn } : {}),
          }),
        )
        .catch((error: { name?: string }) => {
          // Another instance created it meanwhile: the same rule.
          if (error.name !== 'PullThroughCacheRuleAlreadyExistsException') throw error;
        });
      return undefined;
    } catch (error) {
      const failure = ecrFailure(error, `the pull-through cache rule ${prefix}`);
      return { ok: false, ...failure };
    }
  }
}
