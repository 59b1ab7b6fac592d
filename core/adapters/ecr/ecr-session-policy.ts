import { InvalidError } from '../../errors.ts';
import { ecrRegistryOf } from '../../references/ecr-registry.ts';
import { type IntegratedRegistry, streamRepositoryPath } from '../../references/integrated-registry.ts';
import type { RegistryGrant } from '../../registry-tokens/registry-token-schema.ts';

/** What ECR needs for a pull: the image manifest and the layers' download URLs. */
export const ecrPullActions = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
/** A push adds the manifest and the layer upload. */
export const ecrPushActions = [
  ...ecrPullActions,
  'ecr:PutImage',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
];

/** Where an ECR registry host is: `<account>.dkr.ecr.<region>.amazonaws.com[.cn]`. */
export interface EcrLocation {
  account: string;
  region: string;
  partition: string;
}

/** The account, region and partition of an ECR registry host; undefined when the host is not ECR's. */
export function ecrLocation(host: string): EcrLocation | undefined {
  const ecr = ecrRegistryOf(host);
  if (!ecr) return undefined;
  return { account: ecr.accountId, region: ecr.region, partition: host.endsWith('.cn') ? 'aws-cn' : 'aws' };
}

/** The ARN of each stream's repository. */
export function repositoryArns(registry: IntegratedRegistry, location: EcrLocation, grant: RegistryGrant): string[] {
  return grant.streams.map((stream) =>
    repositoryArn(location, streamRepositoryPath(registry, grant.namespace, stream)),
  );
}

function repositoryArn(location: EcrLocation, path: string): string {
  return `arn:${location.partition}:ecr:${location.region}:${location.account}:repository/${path}`;
}

/**
 * A first pull through a pull-through cache rule makes ECR fetch the image from upstream (on the puller's
 * permission) and create the cached repository if it does not exist yet.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html
 */
export const ecrPullThroughActions = [...ecrPullActions, 'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'];

/** STS's bound on an inline session policy, in characters of its JSON. */
export const maxSessionPolicyLength = 2048;

/**
 * The session policy of a registry token's STS session: the session can do no more than this allows (and
 * than the role allows): get an authorization token, which is not tied to a repository, and pull (or push)
 * exactly the grant's repositories; a pull grant also pulls, through the cache, exactly the cached
 * repositories its streams' tags record. https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html
 * A policy over STS's bound is refused here, naming what made it long, rather than by STS as a fault of the service.
 */
export function ecrSessionPolicy(registry: IntegratedRegistry, location: EcrLocation, grant: RegistryGrant): string {
  const cached = grant.access === 'pull' ? (grant.cached ?? []) : [];
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Effect: 'Allow',
        Action: grant.access === 'push' ? ecrPushActions : ecrPullActions,
        Resource: repositoryArns(registry, location, grant),
      },
      ...(cached.length
        ? [
            {
              Effect: 'Allow',
              Action: ecrPullThroughActions,
              Resource: cached.map((path) => repositoryArn(location, path)),
            },
          ]
        : []),
    ],
  });
  if (policy.length > maxSessionPolicyLength)
    throw new InvalidError('RegistryToken', '', [
      {
        reason: 'FieldValueTooMany',
        field: 'spec.imageStreams',
        message: `these image streams${cached.length ? ` and the ${cached.length} pull-through cache repositories their tags record` : ''} need a session policy of ${policy.length} characters, over the ${maxSessionPolicyLength} STS allows: ask for fewer image streams in one token`,
      },
    ]);
  return policy;
}
