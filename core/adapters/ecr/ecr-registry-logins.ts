import {
  CreateRepositoryCommand,
  type ECRClient,
  GetAuthorizationTokenCommand,
  RepositoryAlreadyExistsException,
} from '@aws-sdk/client-ecr';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { RegistryLogins } from '../../ports-registry.ts';
import { type IntegratedRegistry, streamRepositoryPath } from '../../references/integrated-registry.ts';
import { RegistryLoginFailedError } from '../../registry-tokens/registry-login-failed-error.ts';
import type { RegistryGrant, RegistryLogin } from '../../registry-tokens/registry-token-schema.ts';
import { endpointOverride } from '../aws-endpoint.ts';
import { ecrClient } from './ecr-client.ts';
import { type EcrLocation, ecrLocation, ecrSessionPolicy } from './ecr-session-policy.ts';

export interface EcrRegistryLoginsOptions {
  registry: IntegratedRegistry;
  /** The role the sessions assume; it trusts the service's own role. */
  roleArn: string;
  /** Session length, clamped to what STS allows a role assumed by a role (900 to 3600 seconds). */
  sessionSeconds: number;
  /** Loopback endpoints speaking STS's and ECR's protocols (tests). */
  stsEndpoint?: string | undefined;
  ecrEndpoint?: string | undefined;
}

// Not LimitExceededException: for CreateRepository it is the repository quota, which no retry gets past.
const throttled = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);

/**
 * Registry tokens in AWS: an STS session of the token role, narrowed by a session policy to exactly the
 * grant's repositories and actions, asks ECR for an authorization token; that token is the password, and
 * it works no longer than the session does. The service's own role never hands out its token.
 */
export class EcrRegistryLogins implements RegistryLogins {
  private readonly options: EcrRegistryLoginsOptions;
  private readonly location: EcrLocation;
  private readonly sts: STSClient;
  private readonly ecr: ECRClient;

  constructor(options: EcrRegistryLoginsOptions) {
    this.options = options;
    const location = ecrLocation(options.registry.host);
    if (!location)
      throw new Error(`IMAGESTREAMS_REGISTRY names ${options.registry.host}, which is not an ECR registry`);
    this.location = location;
    this.sts = new STSClient({ region: location.region, ...endpointOverride(options.stsEndpoint) });
    this.ecr = ecrClient(location.region, options.ecrEndpoint);
  }

  async issue(grant: RegistryGrant, subject: string): Promise<RegistryLogin> {
    // Built first: a grant too large for a session policy creates nothing.
    const policy = ecrSessionPolicy(this.options.registry, this.location, grant);
    // A push token's repositories exist before anyone pushes: ECR refuses a push to a missing one.
    if (grant.access === 'push')
      for (const stream of grant.streams) await this.createRepository(grant.namespace, stream);
    const { Credentials: session } = await call('STS AssumeRole', () =>
      this.sts.send(
        new AssumeRoleCommand({
          RoleArn: this.options.roleArn,
          RoleSessionName: sessionName(subject),
          DurationSeconds: Math.min(3600, Math.max(900, this.options.sessionSeconds)),
          Policy: policy,
        }),
      ),
    );
    if (!session?.AccessKeyId || !session.SecretAccessKey || !session.Expiration)
      throw new RegistryLoginFailedError('unavailable', 'STS AssumeRole answered without credentials');
    const scoped = ecrClient(this.location.region, this.options.ecrEndpoint, {
      accessKeyId: session.AccessKeyId,
      secretAccessKey: session.SecretAccessKey,
      ...(session.SessionToken ? { sessionToken: session.SessionToken } : {}),
    });
    try {
      const login = await this.authorizationToken(scoped);
      return { ...login, expiresAt: new Date(Math.min(login.expiresAt.getTime(), session.Expiration.getTime())) };
    } finally {
      scoped.destroy();
    }
  }

  /** The service role's own ECR token, kept until an hour before it expires (it lasts 12 hours). */
  serviceLogin(): Promise<RegistryLogin> {
    return this.authorizationToken(this.ecr);
  }

  private async createRepository(namespace: string, stream: string): Promise<void> {
    const repositoryName = streamRepositoryPath(this.options.registry, namespace, stream);
    try {
      await this.ecr.send(
        new CreateRepositoryCommand({
          repositoryName,
          imageScanningConfiguration: { scanOnPush: true },
          imageTagMutability: 'MUTABLE',
        }),
      );
    } catch (error) {
      if (error instanceof RepositoryAlreadyExistsException) return;
      throw failure('ECR CreateRepository', error);
    }
  }

  /** ECR's token is base64 of `AWS:<password>`. */
  private async authorizationToken(client: ECRClient): Promise<RegistryLogin> {
    const { authorizationData = [] } = await call('ECR GetAuthorizationToken', () =>
      client.send(new GetAuthorizationTokenCommand({})),
    );
    const data = authorizationData[0];
    const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (!data?.expiresAt || colon < 1)
      throw new RegistryLoginFailedError('unavailable', 'ECR GetAuthorizationToken answered without a usable token');
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), expiresAt: data.expiresAt };
  }
}

/** `[\w+=,.@-]{2,64}`, as STS requires; it names the caller in CloudTrail. */
function sessionName(subject: string): string {
  return `registrytoken-${subject.replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 64);
}

async function call<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw failure(what, error);
  }
}

/** An SDK error as the domain's: throttled (429), unavailable (503), or refused to the service (503, not retryable). */
function failure(what: string, error: unknown): RegistryLoginFailedError {
  const name = (error as { name?: string }).name ?? 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  if (throttled.has(name))
    return new RegistryLoginFailedError('throttled', `${what} was throttled (${name}): try again shortly`, {
      cause: error,
    });
  if (status >= 500 || status === 0)
    return new RegistryLoginFailedError('unavailable', `${what} failed (${name}): try again shortly`, {
      cause: error,
    });
  return new RegistryLoginFailedError(
    'refused',
    `${what} refused the service (${name}): the deployment's token role or its permissions need attention`,
    { cause: error },
  );
}
