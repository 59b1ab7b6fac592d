import { createHash } from 'node:crypto';
import type { RegistryAccess, RegistryCredentials } from '../../../ports-registry.ts';
import { type RegistryRepository, repositoryLabel } from '../../../references/registry-reference.ts';
import { RegistryError, registryErrorOf, unauthorizedError } from './registry-error.ts';
import { retryAfterMs } from './retry.ts';
import type { SchemeProbe } from './scheme.ts';
import { header, type RegistryWire, type WireBody, type WireMethod, type WireResponse } from './wire.ts';
import { type Challenge, parseChallenge } from './www-authenticate.ts';

/**
 * Authorised exchanges with a registry: the auth scheme is learned from a 401's `WWW-Authenticate`
 * challenge per host; Basic sends the credentials, Bearer fetches a token from the challenge's realm
 * (distribution's token spec) and caches it per host, scope and credential until shortly before
 * `expires_in` runs out. https://distribution.github.io/distribution/spec/auth/token/
 */
export class RegistryAuthenticator {
  private readonly wire: RegistryWire;
  private readonly schemes: SchemeProbe;
  private readonly challenges = new Map<string, Challenge>();
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  constructor(wire: RegistryWire, schemes: SchemeProbe) {
    this.wire = wire;
    this.schemes = schemes;
  }

  /** One exchange on `repo`: on a 401 it learns the challenge and tries once more with credentials; a non-2xx answer throws a RegistryError. */
  async exchange(
    repo: RegistryRepository,
    access: RegistryAccess,
    method: WireMethod,
    path: string,
    headers: Record<string, string>,
    body?: WireBody,
  ): Promise<WireResponse> {
    const url = new URL((await this.schemes.baseUrl(repo.host, access)) + path);
    const what = repositoryLabel(repo);
    const send = (auth: Record<string, string>) =>
      this.wire.send(url, method, { ...headers, ...auth }, access, {
        origin: repo.host,
        ...(body !== undefined ? { body } : {}),
      });
    let auth = await this.authorization(repo, access);
    let response = await send(auth ?? {});
    if (response.statusCode === 401) {
      await response.body.dump();
      // A streamed body is gone once sent: the caller opens the exchange with a bodiless request first.
      if (body !== undefined && !(body instanceof Uint8Array)) throw unauthorizedError(what, access.credentials);
      const challenge = parseChallenge(header(response, 'www-authenticate'));
      if (!challenge) throw unauthorizedError(what, access.credentials);
      this.challenges.set(repo.host, challenge);
      this.tokens.delete(tokenKey(repo, access.credentials));
      try {
        auth = await this.authorization(repo, access);
      } catch (error) {
        // A challenge whose token service cannot be used is not remembered: the next request starts afresh.
        this.challenges.delete(repo.host);
        throw error;
      }
      if (!auth) throw unauthorizedError(what, access.credentials);
      response = await send(auth);
      if (response.statusCode === 401) {
        await response.body.dump();
        throw unauthorizedError(what, access.credentials);
      }
    }
    if (response.statusCode >= 200 && response.statusCode < 300) return response;
    throw await failure(response, what);
  }

  /** The Authorization header for the host's known challenge: {} before any challenge, undefined when it cannot be met. */
  private async authorization(
    repo: RegistryRepository,
    access: RegistryAccess,
  ): Promise<Record<string, string> | undefined> {
    const challenge = this.challenges.get(repo.host);
    if (!challenge) return {};
    if (challenge.scheme === 'basic')
      return access.credentials ? { authorization: basic(access.credentials) } : undefined;
    if (challenge.scheme !== 'bearer') return undefined;
    const key = tokenKey(repo, access.credentials);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return { authorization: `Bearer ${cached.token}` };
    const token = await this.fetchToken(repo, challenge, access);
    this.tokens.set(key, token);
    return { authorization: `Bearer ${token.token}` };
  }

  /** A token from the challenge's realm; the realm is held to the same outbound rules as the registry. */
  private async fetchToken(
    repo: RegistryRepository,
    challenge: Challenge,
    access: RegistryAccess,
  ): Promise<{ token: string; expiresAt: number }> {
    const host = repo.host;
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm ?? '');
    } catch {
      throw new RegistryError('Unauthorized', `the registry ${host} sent a token challenge without a valid realm`, {
        transient: false,
      });
    }
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    // A mount asks for two repositories at once: one `scope` parameter each, as the token spec has it.
    for (const scope of repo.scope.split(' ')) realm.searchParams.append('scope', scope);
    const response = await this.wire.send(
      realm,
      'GET',
      access.credentials ? { authorization: basic(access.credentials) } : {},
      access,
      { origin: host },
    );
    if (response.statusCode === 401 || response.statusCode === 403) {
      await response.body.dump();
      throw unauthorizedError(host, access.credentials);
    }
    if (response.statusCode !== 200) throw await failure(response, `token service of ${host}`);
    const body = parseJson(
      await this.wire.readBody(response, 1024 * 1024, 'token'),
      `the token service of ${host}`,
    ) as {
      token?: string;
      access_token?: string;
      expires_in?: number;
    };
    const token = body.token ?? body.access_token;
    if (!token)
      throw new RegistryError('Unauthorized', `the token service of ${host} answered without a token`, {
        transient: false,
      });
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    return { token, expiresAt: Date.now() + Math.max(lifetime - 10, lifetime / 2) * 1000 };
  }
}

async function failure(response: WireResponse, what: string): Promise<RegistryError> {
  const text = await response.body.text().catch(() => '');
  return registryErrorOf(response.statusCode, text, what, retryAfterMs(header(response, 'retry-after')));
}

function basic(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

function tokenKey(repo: RegistryRepository, credentials: RegistryCredentials | undefined): string {
  const who = credentials
    ? createHash('sha256').update(`${credentials.username}\0${credentials.password}`).digest('hex')
    : 'anonymous';
  return `${repo.host}|${repo.scope}|${who}`;
}

/** JSON from a registry or token service; anything else is a permanent failure. */
export function parseJson(body: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw new RegistryError('InternalError', `${what} answered something that is not JSON`, { transient: false });
  }
}
