import { type IntegratedRegistry, pullThroughRoot } from '../../references/integrated-registry.ts';

/** An upstream registry ECR's pull-through cache supports, as a rule names it. */
export interface PullThroughUpstream {
  /** The last part of the rule's prefix: `quay` in `imagestreams-cache/quay`. */
  alias: string;
  /** CreatePullThroughCacheRule's upstreamRegistryUrl. */
  url: string;
  /** CreatePullThroughCacheRule's upstreamRegistry. */
  upstreamRegistry: string;
  /** ECR requires a Secrets Manager secret (`ecr-pullthroughcache/…`) for this upstream, or an IAM role (ECR). */
  needs?: 'secret' | 'role';
}

// The upstreams of CreatePullThroughCacheRule's documentation (upstreamRegistryUrl), by the host an import reads.
const fixed: Record<string, PullThroughUpstream> = {
  'public.ecr.aws': { alias: 'ecr-public', url: 'public.ecr.aws', upstreamRegistry: 'ecr-public' },
  'quay.io': { alias: 'quay', url: 'quay.io', upstreamRegistry: 'quay' },
  'registry.k8s.io': { alias: 'k8s', url: 'registry.k8s.io', upstreamRegistry: 'k8s' },
  'registry-1.docker.io': {
    alias: 'docker-hub',
    url: 'registry-1.docker.io',
    upstreamRegistry: 'docker-hub',
    needs: 'secret',
  },
  'ghcr.io': { alias: 'ghcr', url: 'ghcr.io', upstreamRegistry: 'github-container-registry', needs: 'secret' },
  'registry.gitlab.com': {
    alias: 'gitlab',
    url: 'registry.gitlab.com',
    upstreamRegistry: 'gitlab-container-registry',
    needs: 'secret',
  },
};

/** The pull-through upstream a source registry host is, if ECR supports it. */
export function pullThroughUpstream(host: string): PullThroughUpstream | undefined {
  const known = fixed[host];
  if (known) return known;
  const azure = /^([a-z0-9]+)\.azurecr\.io$/.exec(host)?.[1];
  if (azure) return { alias: `acr-${azure}`, url: host, upstreamRegistry: 'azure-container-registry', needs: 'secret' };
  if (/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/.test(host))
    return { alias: `ecr-${host.split('.')[0]}`, url: host, upstreamRegistry: 'ecr', needs: 'role' };
  return undefined;
}

/** ECR's bounds on a rule's ecrRepositoryPrefix (CreatePullThroughCacheRule). */
const prefixPattern = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const maxPrefixLength = 30;

/**
 * The rule's repository prefix: `<registry prefix>-cache/<alias>` (`imagestreams-cache/quay`). Outside the
 * streams' own `<prefix>/<namespace>/<stream>` space, so a cached repository is never taken for a stream's
 * (nor its pushes for a stream's pushes). Undefined when ECR's 30-character bound refuses it.
 */
export function pullThroughPrefix(registry: IntegratedRegistry, upstream: PullThroughUpstream): string | undefined {
  const prefix = `${pullThroughRoot(registry)}/${upstream.alias}`;
  return prefix.length <= maxPrefixLength && prefixPattern.test(prefix) ? prefix : undefined;
}

/** ECR reads a rule's credentials only from secrets named so (its service-linked role may read no others). */
export const pullThroughSecretPrefix = 'ecr-pullthroughcache/';
const secretArnPattern = /^arn:(aws(?:-cn|-us-gov)?):secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/;

/** Where a Secrets Manager secret is, and its name (with the suffix Secrets Manager adds to the ARN). */
export function secretLocation(arn: string): { region: string; account: string; name: string } | undefined {
  const [, , region = '', account = '', name = ''] = secretArnPattern.exec(arn) ?? [];
  return name ? { region, account, name } : undefined;
}

/**
 * Reads IMAGESTREAMS_PULL_THROUGH_CREDENTIALS: `<alias>=<secret ARN>,…`, one Secrets Manager secret per upstream
 * that ECR reaches only with credentials (`docker-hub`, `ghcr`, `gitlab`, `acr-<registry>`). Throws saying what
 * is wrong with the first bad entry.
 */
export function parsePullThroughCredentials(text: string): Record<string, string> {
  const credentials: Record<string, string> = {};
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const equals = entry.indexOf('=');
    const alias = entry.slice(0, equals).trim();
    const arn = entry.slice(equals + 1).trim();
    if (equals < 1 || !arn) throw new Error(`must list <upstream>=<secret ARN> entries: "${entry}" is not one`);
    if (!takesSecret(alias))
      throw new Error(
        `names "${alias}", which is not an upstream ECR reaches with a secret (docker-hub, ghcr, gitlab, acr-<registry>)`,
      );
    if (credentials[alias] !== undefined) throw new Error(`names "${alias}" twice`);
    const secret = secretLocation(arn);
    if (!secret) throw new Error(`gives "${arn}" for ${alias}, which is not a Secrets Manager secret ARN`);
    if (!secret.name.startsWith(pullThroughSecretPrefix) || secret.name.length === pullThroughSecretPrefix.length)
      throw new Error(
        `gives the secret "${secret.name}" for ${alias}: ECR takes only secrets whose name starts with ${pullThroughSecretPrefix}`,
      );
    credentials[alias] = arn;
  }
  return credentials;
}

/** Whether an alias names an upstream whose rule takes a Secrets Manager secret. */
function takesSecret(alias: string): boolean {
  if (/^acr-[a-z0-9]+$/.test(alias)) return true;
  return Object.values(fixed).some((upstream) => upstream.alias === alias && upstream.needs === 'secret');
}
