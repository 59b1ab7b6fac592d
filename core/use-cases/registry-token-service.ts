import type { AccessRequest } from '../access/authorize.ts';
import type { Principal } from '../access/principal.ts';
import { ForbiddenError, InvalidError, NotFoundError, UnauthorizedError } from '../errors.ts';
import { parseOrInvalid } from '../kube/parse-or-invalid.ts';
import type { Clock, StreamStore } from '../ports.ts';
import type { RegistryCredentials, RegistryLogins, RegistryTokenRealm } from '../ports-registry.ts';
import { type IntegratedRegistry, streamOfRepository } from '../references/integrated-registry.ts';
import { cachedRepositories } from '../registry-tokens/cached-repositories.ts';
import { IntegratedRegistryOffError } from '../registry-tokens/integrated-registry-off-error.ts';
import {
  grantedScopes,
  parseScopes,
  type RegistryHolder,
  type RepositoryAction,
  type ResourceActions,
} from '../registry-tokens/registry-scope.ts';
import { type RegistryTokenAccess, registryTokenSchema } from '../registry-tokens/registry-token-schema.ts';
import { checkBodyIdentity, requireNamespace, validateStreamName } from '../streams/names.ts';
import type { StreamState } from '../streams/types.ts';
import { timestamp } from '../timestamp.ts';

export interface RegistryTokenPorts {
  streams: Pick<StreamStore, 'getStream'>;
  authorize: (principal: Principal, request: AccessRequest) => Promise<unknown>;
  clock: Clock;
  /** Absent: the integrated registry is off (IMAGESTREAMS_REGISTRY unset). */
  integratedRegistry?: IntegratedRegistry | undefined;
  /** Absent: nothing in this deployment can issue credentials for the registry. */
  logins?: RegistryLogins | undefined;
  /** Local mode only: the registry's token realm is this service. */
  realm?: RegistryTokenRealm | undefined;
}

/** The RegistryToken a create answers: the request's spec, and credentials in `status`. */
export interface RegistryTokenObject {
  apiVersion: 'imagestreams.dev/v1';
  kind: 'RegistryToken';
  metadata: { namespace: string; creationTimestamp: string };
  spec: { access: RegistryTokenAccess; imageStreams: string[] };
  status: { registry: string; username: string; password: string; expirationTimestamp: string };
}

/** What distribution's token protocol answers. https://distribution.github.io/distribution/spec/auth/token/ */
export interface RealmTokenAnswer {
  token: string;
  access_token: string;
  expires_in: number;
  issued_at: string;
}

/** The access-policy question each repository action asks (OpenShift's registry asks the same). */
const layerVerbs = { pull: 'get', push: 'update' } as const satisfies Record<RepositoryAction, AccessRequest['verb']>;

/**
 * Credentials for the integrated registry, authorised by the same role bindings as the API: pull needs
 * image-puller or view, push needs edit. `registrytokens` hands them out; the token realm (local mode)
 * turns them, or an API token, into the bearer tokens the registry checks.
 */
export class RegistryTokenService {
  private readonly ports: RegistryTokenPorts;

  /** The service's own login to its registry, and when to renew it. */
  private own: { credentials: RegistryCredentials; renewAt: number } | undefined;

  constructor(ports: RegistryTokenPorts) {
    this.ports = ports;
  }

  /** POST registrytokens: credentials for `spec.access` on exactly `spec.imageStreams`, which must exist. */
  async createRegistryToken(principal: Principal, namespace: string, body: unknown): Promise<RegistryTokenObject> {
    requireNamespace(namespace);
    const { registry, logins } = this.configured();
    const { metadata, spec } = parseOrInvalid(registryTokenSchema, body, 'RegistryToken', '');
    checkBodyIdentity(metadata ?? {}, namespace);
    const causes = spec.imageStreams.flatMap((name, i) =>
      validateStreamName(name, namespace, `spec.imageStreams[${i}]`),
    );
    spec.imageStreams.forEach((name, i) => {
      if (spec.imageStreams.indexOf(name) !== i)
        causes.push({
          reason: 'FieldValueDuplicate',
          field: `spec.imageStreams[${i}]`,
          message: `Duplicate value: "${name}"`,
        });
    });
    if (causes.length) throw new InvalidError('RegistryToken', '', causes);
    await this.ports.authorize(principal, {
      verb: layerVerbs[spec.access],
      resource: 'imagestreams/layers',
      namespace,
    });
    const states: StreamState[] = [];
    for (const name of spec.imageStreams) {
      const state = await this.ports.streams.getStream(namespace, name);
      if (!state) throw new NotFoundError('imagestreams', name);
      states.push(state);
    }
    // What the streams' Local tags record in the registry's pull-through cache is pulled with the same token.
    const cached = spec.access === 'pull' ? cachedRepositories(registry, states) : [];
    const login = await logins.issue(
      { namespace, streams: spec.imageStreams, access: spec.access, ...(cached.length ? { cached } : {}) },
      principal.user,
    );
    return {
      apiVersion: 'imagestreams.dev/v1',
      kind: 'RegistryToken',
      metadata: { namespace, creationTimestamp: timestamp(this.ports.clock.now()) },
      spec: { access: spec.access, imageStreams: spec.imageStreams },
      status: {
        registry: registry.host,
        username: login.username,
        password: login.password,
        expirationTimestamp: timestamp(login.expiresAt),
      },
    };
  }

  /**
   * The token realm (local mode): a bearer token granting the intersection of the requested scopes and what
   * the caller may do. The caller is an API principal (an API token sent as Basic credentials), a password
   * from registrytokens, or nobody (a token that grants nothing). Credentials that are neither: 401.
   */
  async realmToken(
    principal: Principal | undefined,
    basic: RegistryCredentials | undefined,
    scopes: readonly string[],
  ): Promise<RealmTokenAnswer> {
    const { registry } = this.configured();
    const realm = this.ports.realm;
    if (!realm)
      throw new IntegratedRegistryOffError(
        'this deployment has no registry token realm: its registry (ECR) authenticates on its own; use registrytokens',
      );
    let holder: RegistryHolder | undefined;
    let subject = '';
    let notAfter: Date | undefined;
    if (principal) {
      subject = principal.user;
      holder = { kind: 'roles', allows: (stream, action) => this.may(principal, stream.namespace, action) };
    } else if (basic) {
      const login = realm.openLogin(basic.password);
      if (!login) throw new UnauthorizedError('the registry credentials are not valid, or have expired');
      ({ subject, holder } = login);
      notAfter = login.expiresAt;
    }
    const access = await this.onlyExistingForPush(registry, await grantedScopes(registry, parseScopes(scopes), holder));
    const token = realm.registryToken(subject, access, notAfter);
    return {
      token: token.token,
      access_token: token.token,
      expires_in: token.expiresIn,
      issued_at: timestamp(token.issuedAt),
    };
  }

  /**
   * Push lands only in the repositories of streams that exist now, whoever holds the credentials (a
   * password issued before its stream was deleted too): the registry keeps no repository for nobody.
   */
  private async onlyExistingForPush(
    registry: IntegratedRegistry,
    granted: ResourceActions[],
  ): Promise<ResourceActions[]> {
    const checked: ResourceActions[] = [];
    for (const scope of granted) {
      const stream = scope.actions.includes('push') ? streamOfRepository(registry, scope.name) : undefined;
      const exists = !stream || (await this.ports.streams.getStream(stream.namespace, stream.name)) !== undefined;
      const actions = exists ? scope.actions : scope.actions.filter((action) => action !== 'push');
      if (actions.length) checked.push({ ...scope, actions });
    }
    return checked;
  }

  /** The service's own credentials for its registry; undefined when it has none. */
  async serviceCredentials(): Promise<RegistryCredentials | undefined> {
    const { integratedRegistry, logins, clock } = this.ports;
    if (!integratedRegistry || !logins) return undefined;
    // Kept until half its life has passed: a burst of imports logs in once, and never with a login about to lapse.
    const now = clock.now().getTime();
    if (!this.own || now >= this.own.renewAt) {
      const { username, password, expiresAt } = await logins.serviceLogin();
      this.own = { credentials: { username, password }, renewAt: now + (expiresAt.getTime() - now) / 2 };
    }
    return this.own.credentials;
  }

  private async may(principal: Principal, namespace: string, action: RepositoryAction): Promise<boolean> {
    try {
      await this.ports.authorize(principal, { verb: layerVerbs[action], resource: 'imagestreams/layers', namespace });
      return true;
    } catch (error) {
      if (error instanceof ForbiddenError || error instanceof UnauthorizedError) return false;
      throw error;
    }
  }

  private configured(): { registry: IntegratedRegistry; logins: RegistryLogins } {
    const { integratedRegistry: registry, logins } = this.ports;
    if (!registry)
      throw new IntegratedRegistryOffError(
        'the integrated registry is off in this deployment (IMAGESTREAMS_REGISTRY is not set): streams have no repository to log in to',
      );
    if (!logins)
      throw new IntegratedRegistryOffError(
        'this deployment cannot issue registry credentials: it sets neither IMAGESTREAMS_REGISTRY_TOKEN_ROLE_ARN (AWS) nor IMAGESTREAMS_REGISTRY_TOKEN_KEY (local mode)',
      );
    return { registry, logins };
  }
}
