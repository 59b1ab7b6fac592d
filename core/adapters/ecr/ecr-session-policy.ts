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
  return grant.streams.map(
    (stream) =>
      `arn:${location.partition}:ecr:${location.region}:${location.account}:repository/${streamRepositoryPath(registry, grant.namespace, stream)}`,
  );
}

/**
 * The session policy of a registry token's STS session: the session can do no more than this allows (and
 * than the role allows): get an authorization token, which is not tied to a repository, and pull (or push)
 * exactly the grant's repositories. https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html
 */
export function ecrSessionPolicy(registry: IntegratedRegistry, location: EcrLocation, grant: RegistryGrant): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Effect: 'Allow',
        Action: grant.access === 'push' ? ecrPushActions : ecrPullActions,
        Resource: repositoryArns(registry, location, grant),
      },
    ],
  });
}
