import { createHash } from 'node:crypto';
import { Agent, type Dispatcher, interceptors, request } from 'undici';
import { ImportFailure } from '../../importing/import-failure.ts';
import { manifestAccept } from '../../importing/media-types.ts';
import type {
  RegistryAccess,
  RegistryClient,
  RegistryCredentials,
  RegistryRepository,
  ResolvedManifest,
} from '../../ports-registry.ts';
import { guardedConnector } from './outbound-guard.ts';
import { type Challenge, parseChallenge } from './www-authenticate.ts';

export interface UndiciRegistryClientOptions {
  /** Registries (host or host:port) that may be on loopback or private addresses and speak plain HTTP. */
  localHosts: ReadonlySet<string>;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxManifestBytes: number;
  maxBlobBytes: number;
  maxRetries: number;
  /** Backoff between retries: doubling from the minimum, capped; a Retry-After longer than the cap is not waited for. */
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
}

export const defaultRegistryClientOptions: Omit<UndiciRegistryClientOptions, 'localHosts'> = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  maxManifestBytes: 4 * 1024 * 1024,
  maxBlobBytes: 8 * 1024 * 1024,
  maxRetries: 3,
  minRetryDelayMs: 200,
  maxRetryDelayMs: 5_000,
};

type Response = Dispatcher.ResponseData<unknown>;
const retryStatuses = new Set([429, 500, 502, 503, 504]);
const retryErrors = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_SOCKET']);
const maxRedirects = 5;
const maxTagPages = 50;

/**
 * The registry client of the OCI distribution spec on undici: token and Basic auth learned from
 * `WWW-Authenticate` challenges, digest-verified manifests and blobs, bounded retries with backoff that
 * honour `Retry-After`, keep-alive pools, and every connection through the outbound guard.
 */
export class UndiciRegistryClient implements RegistryClient {
  /** Registry requests sent (HTTP exchanges, retries and token fetches included), for benchmarks. */
  requestCount = 0;
  /** The last `RateLimit-Remaining` seen per host, for pacing. */
  readonly rateLimitRemaining = new Map<string, number>();

  private readonly options: UndiciRegistryClientOptions;
  private readonly verified: Dispatcher;
  private readonly unverified: Dispatcher;
  private readonly schemes = new Map<string, 'https:' | 'http:'>();
  private readonly challenges = new Map<string, Challenge>();
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  constructor(options: UndiciRegistryClientOptions) {
    this.options = options;
    const agent = (verifyTls: boolean) =>
      new Agent({
        connect: guardedConnector({ timeoutMs: options.connectTimeoutMs, verifyTls, localHosts: options.localHosts }),
        headersTimeout: options.headersTimeoutMs,
        bodyTimeout: options.bodyTimeoutMs,
        keepAliveTimeout: 30_000,
        connections: 32,
      }).compose(interceptors.retry({ maxRetries: options.maxRetries, throwOnError: false, retry: this.retryPolicy }));
    this.verified = agent(true);
    this.unverified = agent(false);
  }

  async close(): Promise<void> {
    await Promise.all([this.verified.close(), this.unverified.close()]);
  }

  async resolve(repo: RegistryRepository, reference: string, access: RegistryAccess): Promise<ResolvedManifest> {
    const path = `/v2/${repo.repository}/manifests/${reference}`;
    const head = await this.fetch(repo, access, 'HEAD', path, { accept: manifestAccept });
    const digest = header(head, 'docker-content-digest');
    const mediaType = contentType(head);
    if (digest && /^sha256:[0-9a-f]{64}$/.test(digest) && mediaType) return { digest, mediaType };
    // No usable digest header: fetch the bytes and hash them ourselves.
    const get = await this.fetch(repo, access, 'GET', path, { accept: manifestAccept });
    const body = await this.readBody(get, this.options.maxManifestBytes, 'manifest');
    const computed = sha256(body);
    if (reference.includes(':') && reference !== computed)
      throw integrityError(`${repo.host}/${repo.repository}`, reference, computed);
    return { digest: computed, mediaType: contentType(get) ?? mediaTypeOf(body), body };
  }

  async getManifest(
    repo: RegistryRepository,
    digest: string,
    access: RegistryAccess,
  ): Promise<{ mediaType: string; body: Uint8Array }> {
    const response = await this.fetch(repo, access, 'GET', `/v2/${repo.repository}/manifests/${digest}`, {
      accept: manifestAccept,
    });
    const body = await this.readBody(response, this.options.maxManifestBytes, 'manifest');
    const computed = sha256(body);
    if (computed !== digest) throw integrityError(`${repo.host}/${repo.repository}`, digest, computed);
    return { mediaType: contentType(response) ?? mediaTypeOf(body), body };
  }

  async getBlob(repo: RegistryRepository, digest: string, access: RegistryAccess): Promise<Uint8Array> {
    const response = await this.fetch(repo, access, 'GET', `/v2/${repo.repository}/blobs/${digest}`, {});
    const body = await this.readBody(response, this.options.maxBlobBytes, 'image config');
    const computed = sha256(body);
    if (computed !== digest) throw integrityError(`${repo.host}/${repo.repository}`, digest, computed);
    return body;
  }

  async listTags(repo: RegistryRepository, access: RegistryAccess, limit: number): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repo.repository}/tags/list?n=${Math.min(limit, 1000)}`;
    for (let page = 0; path && tags.length < limit && page < maxTagPages; page++) {
      const response = await this.fetch(repo, access, 'GET', path, { accept: 'application/json' });
      const body = parseJson(
        await this.readBody(response, this.options.maxManifestBytes, 'tag list'),
        `the tag list of ${repo.host}/${repo.repository}`,
      ) as { tags?: unknown };
      if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === 'string'));
      path = nextPage(header(response, 'link'));
    }
    return tags.slice(0, limit);
  }

  /** One authorised exchange: learns the auth scheme from a 401 challenge and retries once with credentials. */
  private async fetch(
    repo: RegistryRepository,
    access: RegistryAccess,
    method: 'GET' | 'HEAD',
    path: string,
    headers: Record<string, string>,
  ): Promise<Response> {
    const base = await this.baseUrl(repo.host, access);
    const scope = `repository:${repo.repository}:pull`;
    const what = `${repo.host}/${repo.repository}`;
    let auth = await this.authorization(repo.host, scope, access);
    let response = await this.send(new URL(base + path), method, { ...headers, ...auth }, access);
    if (response.statusCode === 401) {
      await response.body.dump();
      const challenge = parseChallenge(header(response, 'www-authenticate'));
      if (!challenge) throw unauthorized(what, access.credentials);
      this.challenges.set(repo.host, challenge);
      this.tokens.delete(tokenKey(repo.host, scope, access.credentials));
      try {
        auth = await this.authorization(repo.host, scope, access);
      } catch (error) {
        // A challenge whose token service cannot be used is not remembered: the next request starts afresh.
        this.challenges.delete(repo.host);
        throw error;
      }
      if (!auth) throw unauthorized(what, access.credentials);
      response = await this.send(new URL(base + path), method, { ...headers, ...auth }, access);
      if (response.statusCode === 401) {
        await response.body.dump();
        throw unauthorized(what, access.credentials);
      }
    }
    if (response.statusCode >= 200 && response.statusCode < 300) return response;
    throw await failureOf(response, what);
  }

  /** HTTPS, unless the registry is allowed plain HTTP and does not speak TLS (learned once per host). */
  private async baseUrl(host: string, access: RegistryAccess): Promise<string> {
    let scheme = this.schemes.get(host);
    if (!scheme) {
      scheme = 'https:';
      if (this.mayUseHttp(host, access)) {
        try {
          const probe = await this.send(new URL(`https://${host}/v2/`), 'GET', {}, { ...access, insecure: true }, 0);
          await probe.body.dump();
        } catch (error) {
          if (error instanceof ImportFailure && error.importReason === 'Forbidden') throw error;
          scheme = 'http:';
        }
      }
      this.schemes.set(host, scheme);
    }
    return `${scheme}//${host}`;
  }

  private mayUseHttp(host: string, access: RegistryAccess): boolean {
    return access.insecure || this.options.localHosts.has(host);
  }

  private async authorization(
    host: string,
    scope: string,
    access: RegistryAccess,
  ): Promise<Record<string, string> | undefined> {
    const challenge = this.challenges.get(host);
    if (!challenge) return {};
    if (challenge.scheme === 'basic')
      return access.credentials ? { authorization: basic(access.credentials) } : undefined;
    if (challenge.scheme !== 'bearer') return undefined;
    const key = tokenKey(host, scope, access.credentials);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return { authorization: `Bearer ${cached.token}` };
    const token = await this.fetchToken(host, challenge, scope, access);
    this.tokens.set(key, token);
    return { authorization: `Bearer ${token.token}` };
  }

  /** The token endpoint named by the challenge's realm (distribution's token spec); the realm is held to the same outbound rules. */
  private async fetchToken(
    host: string,
    challenge: Challenge,
    scope: string,
    access: RegistryAccess,
  ): Promise<{ token: string; expiresAt: number }> {
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm ?? '');
    } catch {
      throw new ImportFailure('Unauthorized', `the registry ${host} sent a token challenge without a valid realm`);
    }
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set('scope', scope);
    const response = await this.send(
      realm,
      'GET',
      access.credentials ? { authorization: basic(access.credentials) } : {},
      access,
    );
    if (response.statusCode === 401 || response.statusCode === 403) {
      await response.body.dump();
      throw unauthorized(host, access.credentials);
    }
    if (response.statusCode !== 200) throw await failureOf(response, `token service of ${host}`);
    const body = parseJson(await this.readBody(response, 1024 * 1024, 'token'), `the token service of ${host}`) as {
      token?: string;
      access_token?: string;
      expires_in?: number;
    };
    const token = body.token ?? body.access_token;
    if (!token) throw new ImportFailure('Unauthorized', `the token service of ${host} answered without a token`);
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    return { token, expiresAt: Date.now() + Math.max(lifetime - 10, lifetime / 2) * 1000 };
  }

  /** One request, following redirects only by the outbound rules; credentials never follow a redirect to another host. */
  private async send(
    url: URL,
    method: 'GET' | 'HEAD',
    headers: Record<string, string>,
    access: RegistryAccess,
    maxRetries?: number,
  ): Promise<Response> {
    let current = url;
    let sentHeaders = headers;
    for (let hop = 0; hop <= maxRedirects; hop++) {
      if (current.protocol !== 'https:' && !(current.protocol === 'http:' && this.mayUseHttp(current.host, access))) {
        throw new ImportFailure(
          'Forbidden',
          `refused ${current.protocol}//${current.host}: plain HTTP is allowed only for registries marked insecure`,
        );
      }
      const insecure = access.insecure || this.options.localHosts.has(current.host);
      this.requestCount++;
      let response: Response;
      try {
        response = await request(current, {
          method,
          headers: sentHeaders,
          dispatcher: insecure ? this.unverified : this.verified,
          ...(access.signal ? { signal: access.signal } : {}),
          ...(maxRetries !== undefined ? { retryOptions: { maxRetries } } : {}),
        } as Parameters<typeof request>[1]);
      } catch (error) {
        throw transportFailure(error, current.host);
      }
      const remaining = Number.parseInt(header(response, 'ratelimit-remaining') ?? '', 10);
      if (Number.isFinite(remaining)) this.rateLimitRemaining.set(current.host, remaining);
      const location = header(response, 'location');
      if (![301, 302, 303, 307, 308].includes(response.statusCode) || !location) {
        if (response.statusCode === 401 && current.host !== url.host) {
          // Its challenge is not the registry's: learning it would send the registry's credentials elsewhere.
          await response.body.dump();
          throw new ImportFailure(
            'Unauthorized',
            `${url.host} redirected to ${current.host}, which asks for credentials; they are not sent across hosts`,
            { transient: false },
          );
        }
        return response;
      }
      await response.body.dump();
      const next = new URL(location, current);
      if (next.host !== current.host)
        sentHeaders = Object.fromEntries(
          Object.entries(sentHeaders).filter(([k]) => k.toLowerCase() !== 'authorization'),
        );
      current = next;
    }
    throw new ImportFailure('BadRequest', `more than ${maxRedirects} redirects from ${url.host}`);
  }

  private async readBody(response: Response, limit: number, what: string): Promise<Uint8Array> {
    const declared = Number(header(response, 'content-length') ?? 'NaN');
    if (declared > limit) {
      response.body.destroy();
      throw new ImportFailure('BadRequest', `the ${what} is larger than the limit of ${limit} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > limit) {
          response.body.destroy();
          throw new ImportFailure('BadRequest', `the ${what} is larger than the limit of ${limit} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof ImportFailure) throw error;
      throw transportFailure(error, what);
    }
    return Buffer.concat(chunks);
  }

  /** undici's retry interceptor asks this whether to try again: transient failures only, with backoff, honouring Retry-After. */
  private readonly retryPolicy = (
    error: Error & { statusCode?: number; code?: string; headers?: Record<string, string | string[] | undefined> },
    { state, opts }: { state: { counter: number }; opts: { method?: string; retryOptions?: { maxRetries?: number } } },
    callback: (error: Error | null) => void,
  ): ReturnType<typeof setTimeout> | undefined => {
    const maxRetries = opts.retryOptions?.maxRetries ?? this.options.maxRetries;
    const transient =
      error.statusCode !== undefined ? retryStatuses.has(error.statusCode) : retryErrors.has(error.code ?? '');
    if (!transient || state.counter > maxRetries || !['GET', 'HEAD'].includes(opts.method ?? '')) {
      callback(error);
      return undefined;
    }
    const retryAfter = retryAfterMs(error.headers?.['retry-after']);
    if (retryAfter !== undefined && retryAfter > this.options.maxRetryDelayMs) {
      callback(error);
      return undefined;
    }
    const backoff = Math.min(this.options.minRetryDelayMs * 2 ** (state.counter - 1), this.options.maxRetryDelayMs);
    return setTimeout(() => callback(null), retryAfter ?? backoff * (0.5 + Math.random() / 2));
  };
}

function header(response: Response, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function contentType(response: Response): string | undefined {
  return header(response, 'content-type')?.split(';')[0]?.trim() || undefined;
}

function mediaTypeOf(body: Uint8Array): string {
  try {
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as { mediaType?: unknown };
    return typeof parsed.mediaType === 'string' ? parsed.mediaType : '';
  } catch {
    return '';
  }
}

function sha256(body: Uint8Array): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

function basic(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

function tokenKey(host: string, scope: string, credentials: RegistryCredentials | undefined): string {
  const who = credentials
    ? createHash('sha256').update(`${credentials.username}\0${credentials.password}`).digest('hex')
    : 'anonymous';
  return `${host}|${scope}|${who}`;
}

function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function nextPage(link: string | undefined): string | undefined {
  const target = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link ?? '')?.[1];
  if (!target) return undefined;
  try {
    const url = new URL(target, 'http://registry.invalid');
    return url.pathname + url.search;
  } catch {
    return undefined;
  }
}

function parseJson(body: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw new ImportFailure('InternalError', `${what} answered something that is not JSON`, { transient: false });
  }
}

function unauthorized(what: string, credentials: RegistryCredentials | undefined): ImportFailure {
  return credentials
    ? new ImportFailure('Unauthorized', `incorrect username or password for image "${what}"`)
    : new ImportFailure('Unauthorized', `you may not have access to the container image "${what}"`);
}

function integrityError(what: string, expected: string, actual: string): ImportFailure {
  return new ImportFailure(
    'BadRequest',
    `content integrity error: the content retrieved from ${what} has digest ${actual}, not ${expected}`,
    { transient: false },
  );
}

/** The registry's answer as an ImportFailure with the reason OpenShift uses. */
async function failureOf(response: Response, what: string): Promise<ImportFailure> {
  const text = await response.body.text().catch(() => '');
  const codes = (() => {
    try {
      return ((JSON.parse(text) as { errors?: { code?: string }[] }).errors ?? []).map((e) => e.code ?? '');
    } catch {
      return [];
    }
  })();
  const status = response.statusCode;
  const retryAfter = retryAfterMs(header(response, 'retry-after'));
  const retryAfterSeconds = retryAfter === undefined ? undefined : Math.ceil(retryAfter / 1000);
  if (status === 429 || codes.includes('TOOMANYREQUESTS')) {
    return new ImportFailure(
      'RateLimited',
      `the registry ${what} is rate limiting requests (HTTP ${status})${retryAfterSeconds !== undefined ? `; retry after ${retryAfterSeconds}s` : ''}`,
      { retryAfterSeconds },
    );
  }
  if (status === 404) return new ImportFailure('NotFound', `${what}: ${codes[0] ?? 'not found'}`);
  if (status === 401)
    return new ImportFailure('Unauthorized', `you may not have access to the container image "${what}"`);
  if (status === 403) return new ImportFailure('Forbidden', `the registry refused access to ${what}`);
  if (status >= 500)
    return new ImportFailure('InternalError', `the registry ${what} answered HTTP ${status}`, { retryAfterSeconds });
  return new ImportFailure('InternalError', `the registry ${what} answered HTTP ${status} ${codes.join(', ')}`.trim(), {
    transient: false,
  });
}

function transportFailure(error: unknown, where: string): ImportFailure {
  const err = error as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  if (code === 'EBLOCKEDADDRESS')
    return new ImportFailure('Forbidden', err.message ?? err.cause?.message ?? 'address not allowed', {
      transient: false,
    });
  if (err.name === 'AbortError' || code === 'UND_ERR_ABORTED')
    return new ImportFailure('InternalError', `the import of ${where} was stopped: it ran out of time`);
  if (code.includes('TIMEOUT')) return new ImportFailure('InternalError', `timed out talking to ${where} (${code})`);
  return new ImportFailure('InternalError', `could not reach ${where}: ${code || err.message || 'connection failed'}`);
}
