import type { Readable } from 'node:stream';
import { isMetadataHost } from '../../../outbound/is-blocked-host.ts';
import type { RegistryAccess } from '../../../ports-registry.ts';
import { Agent, type Dispatcher, request, retryInterceptor } from '../../http/undici-parts.ts';
import { guardedConnector } from '../outbound-guard.ts';
import { RegistryError, transportError } from './registry-error.ts';
import { type RetryOptions, retryPolicy } from './retry.ts';

export type WireResponse = Dispatcher.ResponseData<unknown>;
export type WireMethod = 'GET' | 'HEAD' | 'POST' | 'PUT';
/** A request body: bytes can be sent again (a retry after a challenge), a stream only once. */
export type WireBody = Uint8Array | Readable;

export interface WireOptions extends RetryOptions {
  /** Registries (host or host:port) that may be on loopback or private addresses and speak plain HTTP. */
  localHosts: ReadonlySet<string>;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Sent on every request, so that registry operators can tell who is calling. */
  userAgent: string;
  /** How an operator allows a registry the outbound rules refuse (named in the refusal). */
  insecureSetting: string;
}

const maxRedirects = 5;

/**
 * The one place bytes go over the wire: keep-alive pools whose every connection passes the outbound
 * guard, undici's retry interceptor with our policy, redirects followed only by the outbound rules, and
 * a bounded body reader.
 */
export class RegistryWire {
  /** Registry requests sent (HTTP exchanges, retries and token fetches included), for benchmarks. */
  requestCount = 0;
  /** The last `RateLimit-Remaining` seen per host, for pacing. */
  readonly rateLimitRemaining = new Map<string, number>();
  /** Requests issued and not yet answered (queued in the pool included), and the most at once, for benchmarks. */
  inFlight = 0;
  peakInFlight = 0;

  private readonly options: WireOptions;
  private readonly verified: Dispatcher;
  private readonly unverified: Dispatcher;

  constructor(options: WireOptions) {
    this.options = options;
    const agent = (verifyTls: boolean) =>
      new Agent({
        connect: guardedConnector({ timeoutMs: options.connectTimeoutMs, verifyTls, localHosts: options.localHosts }),
        headersTimeout: options.headersTimeoutMs,
        bodyTimeout: options.bodyTimeoutMs,
        keepAliveTimeout: 30_000,
        connections: 32,
      }).compose(
        retryInterceptor({ maxRetries: options.maxRetries, throwOnError: false, retry: retryPolicy(options) }),
      );
    this.verified = agent(true);
    this.unverified = agent(false);
  }

  async close(): Promise<void> {
    await Promise.all([this.verified.close(), this.unverified.close()]);
  }

  /** Plain HTTP and unverified TLS: for registries the import or the deployment marks insecure. */
  mayUseHttp(host: string, access: RegistryAccess): boolean {
    return access.insecure || this.options.localHosts.has(host);
  }

  /**
   * One request, following redirects only by the outbound rules; credentials never follow a redirect to
   * another host. `origin` is the registry the request is for: a refusal of its own address says how to
   * allow it, a refusal of anything it redirects to does not.
   */
  async send(
    url: URL,
    method: WireMethod,
    headers: Record<string, string>,
    access: RegistryAccess,
    options: { maxRetries?: number; origin?: string; body?: WireBody } = {},
  ): Promise<WireResponse> {
    let current = url;
    let sentHeaders = { 'user-agent': this.options.userAgent, ...headers };
    for (let hop = 0; hop <= maxRedirects; hop++) {
      const allowHint =
        current.host === options.origin && !isMetadataHost(current.host)
          ? `to allow this registry, add "${current.host}" to ${this.options.insecureSetting}`
          : undefined;
      if (current.protocol !== 'https:' && !(current.protocol === 'http:' && this.mayUseHttp(current.host, access))) {
        throw new RegistryError(
          'Forbidden',
          `refused ${current.protocol}//${current.host}: plain HTTP is allowed only for registries marked insecure${allowHint ? `; ${allowHint}` : ''}`,
          { transient: false },
        );
      }
      const insecure = this.mayUseHttp(current.host, access);
      this.requestCount++;
      this.peakInFlight = Math.max(this.peakInFlight, ++this.inFlight);
      let response: WireResponse;
      try {
        response = await request(current, {
          method,
          headers: sentHeaders,
          dispatcher: insecure ? this.unverified : this.verified,
          ...(options.body !== undefined ? { body: options.body } : {}),
          ...(access.signal ? { signal: access.signal } : {}),
          ...(options.maxRetries !== undefined ? { retryOptions: { maxRetries: options.maxRetries } } : {}),
        } as Parameters<typeof request>[1]);
      } catch (error) {
        throw transportError(error, current.host, allowHint);
      } finally {
        this.inFlight--;
      }
      const remaining = Number.parseInt(header(response, 'ratelimit-remaining') ?? '', 10);
      if (Number.isFinite(remaining)) this.rateLimitRemaining.set(current.host, remaining);
      const location = header(response, 'location');
      if (![301, 302, 303, 307, 308].includes(response.statusCode) || !location) {
        if (response.statusCode === 401 && current.host !== url.host) {
          // Its challenge is not the registry's: learning it would send the registry's credentials elsewhere.
          await response.body.dump();
          throw new RegistryError(
            'Unauthorized',
            `${url.host} redirected to ${current.host}, which asks for credentials; they are not sent across hosts`,
            { status: 401, transient: false },
          );
        }
        return response;
      }
      await response.body.dump();
      if (options.body !== undefined && !(options.body instanceof Uint8Array))
        throw new RegistryError('BadRequest', `${current.host} redirected an upload whose body cannot be sent twice`, {
          transient: false,
        });
      const next = new URL(location, current);
      if (next.host !== current.host)
        sentHeaders = Object.fromEntries(
          Object.entries(sentHeaders).filter(([k]) => k.toLowerCase() !== 'authorization'),
        ) as typeof sentHeaders;
      current = next;
    }
    throw new RegistryError('BadRequest', `more than ${maxRedirects} redirects from ${url.host}`, { transient: false });
  }

  /** The whole body, refused once it passes `limit` bytes (declared or streamed). */
  async readBody(response: WireResponse, limit: number, what: string): Promise<Uint8Array> {
    const declared = Number(header(response, 'content-length') ?? 'NaN');
    if (declared > limit) {
      // Not destroy(): an unread body destroyed with no listener raises an uncaught 'aborted' error. (A
      // limit of 0 would read undici's default 128 KiB.)
      await response.body.dump({ limit: 1 });
      throw tooLarge(what, limit);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > limit) {
          response.body.destroy();
          throw tooLarge(what, limit);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      throw transportError(error, what);
    }
    return Buffer.concat(chunks);
  }
}

function tooLarge(what: string, limit: number): RegistryError {
  return new RegistryError('BadRequest', `the ${what} is larger than the limit of ${limit} bytes`, {
    transient: false,
  });
}

/** A response header's first value. */
export function header(response: WireResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The media type of a response, without parameters. */
export function contentType(response: WireResponse): string | undefined {
  return header(response, 'content-type')?.split(';')[0]?.trim() || undefined;
}
