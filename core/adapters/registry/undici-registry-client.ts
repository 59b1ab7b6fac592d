import { createHash } from 'node:crypto';
import { pipeline, type Readable, Transform } from 'node:stream';
import { ImportFailure } from '../../importing/import-failure.ts';
import { manifestAccept, mediaTypes } from '../../importing/media-types.ts';
import type {
  RegistryAccess,
  RegistryClient,
  ResolvedManifest,
  TaggedManifest,
  TagListing,
} from '../../ports-registry.ts';
import {
  type RegistryReference,
  type RegistryRepository,
  repositoryLabel,
} from '../../references/registry-reference.ts';
import { parseJson, RegistryAuthenticator } from './transport/auth.ts';
import { integrityError, RegistryError } from './transport/registry-error.ts';
import { SchemeProbe } from './transport/scheme.ts';
import { contentType, header, RegistryWire, type WireOptions } from './transport/wire.ts';

export interface UndiciRegistryClientOptions extends Omit<WireOptions, 'userAgent' | 'insecureSetting'> {
  maxManifestBytes: number;
  maxBlobBytes: number;
  /** `imagestreams/<version>` unless set. */
  userAgent?: string;
  /** The setting that lists insecure registries, named when the outbound rules refuse one. */
  insecureSetting?: string;
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

const maxTagPages = 50;

/**
 * The OCI distribution API on top of the transport (transport/: wire, scheme ping, auth, retry,
 * errors): resolve with one HEAD, digest-verified manifests and blobs, paged tag lists.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
export class UndiciRegistryClient implements RegistryClient {
  private readonly options: UndiciRegistryClientOptions;
  private readonly wire: RegistryWire;
  private readonly auth: RegistryAuthenticator;

  constructor(options: UndiciRegistryClientOptions) {
    this.options = options;
    this.wire = new RegistryWire({
      ...options,
      userAgent: options.userAgent ?? 'imagestreams',
      insecureSetting: options.insecureSetting ?? 'IMAGESTREAMS_INSECURE_REGISTRIES',
    });
    this.auth = new RegistryAuthenticator(this.wire, new SchemeProbe(this.wire));
  }

  /** Registry requests sent (HTTP exchanges, retries and token fetches included), for benchmarks. */
  get requestCount(): number {
    return this.wire.requestCount;
  }

  /** The most registry requests this client had issued and not yet answered at once, for benchmarks. */
  get peakInFlight(): number {
    return this.wire.peakInFlight;
  }

  /** The last `RateLimit-Remaining` seen per host, for pacing. */
  get rateLimitRemaining(): ReadonlyMap<string, number> {
    return this.wire.rateLimitRemaining;
  }

  async close(): Promise<void> {
    await this.wire.close();
  }

  async resolve(ref: RegistryReference, access: RegistryAccess): Promise<ResolvedManifest> {
    const path = `/v2/${ref.repository}/manifests/${ref.reference}`;
    const head = await this.auth.exchange(ref, access, 'HEAD', path, { accept: manifestAccept });
    const digest = header(head, 'docker-content-digest');
    const mediaType = contentType(head);
    if (digest && /^sha256:[0-9a-f]{64}$/.test(digest) && mediaType) return { digest, mediaType };
    // No usable digest header: fetch the bytes and hash them ourselves.
    const get = await this.auth.exchange(ref, access, 'GET', path, { accept: manifestAccept });
    const body = await this.wire.readBody(get, this.options.maxManifestBytes, 'manifest');
    const computed = sha256(body);
    if (ref.digest && ref.digest !== computed) throw integrityError(repositoryLabel(ref), ref.digest, computed);
    return { digest: computed, mediaType: contentType(get) ?? mediaTypeOf(body), body };
  }

  async getManifest(
    repo: RegistryRepository,
    digest: string,
    access: RegistryAccess,
  ): Promise<{ mediaType: string; body: Uint8Array }> {
    const response = await this.auth.exchange(repo, access, 'GET', `/v2/${repo.repository}/manifests/${digest}`, {
      accept: manifestAccept,
    });
    const body = await this.wire.readBody(response, this.options.maxManifestBytes, 'manifest');
    const computed = sha256(body);
    if (computed !== digest) throw integrityError(repositoryLabel(repo), digest, computed);
    return { mediaType: contentType(response) ?? mediaTypeOf(body), body };
  }

  async getBlob(repo: RegistryRepository, digest: string, access: RegistryAccess): Promise<Uint8Array> {
    const response = await this.auth.exchange(repo, access, 'GET', `/v2/${repo.repository}/blobs/${digest}`, {});
    const body = await this.wire.readBody(response, this.options.maxBlobBytes, 'image config');
    const computed = sha256(body);
    if (computed !== digest) throw integrityError(repositoryLabel(repo), digest, computed);
    return body;
  }

  async getTaggedManifest(
    repo: RegistryRepository,
    tag: string,
    access: RegistryAccess,
  ): Promise<TaggedManifest | undefined> {
    const path = `/v2/${repo.repository}/manifests/${tag}`;
    const response = await absentOn404(() => this.auth.exchange(repo, access, 'GET', path, { accept: manifestAccept }));
    if (!response) return undefined;
    const body = await this.wire.readBody(response, this.options.maxManifestBytes, 'manifest');
    const computed = sha256(body);
    const claimed = header(response, 'docker-content-digest');
    if (claimed && claimed !== computed) throw integrityError(`${repositoryLabel(repo)}:${tag}`, claimed, computed);
    return { digest: computed, mediaType: contentType(response) ?? mediaTypeOf(body), body };
  }

  async getReferrers(
    repo: RegistryRepository,
    digest: string,
    access: RegistryAccess,
  ): Promise<{ mediaType: string; body: Uint8Array } | undefined> {
    // The API first; a registry without it answers 404 (distribution 2.8), some 400/406 or a non-index
    // body, and then the index lives under the referrers tag, which the pusher maintains.
    // https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
    const response = await absentOn404(() =>
      this.auth.exchange(repo, access, 'GET', `/v2/${repo.repository}/referrers/${digest}`, {
        accept: mediaTypes.ociIndex,
      }),
    ).catch((error: unknown) => {
      if (error instanceof RegistryError && (error.status === 400 || error.status === 406)) return undefined;
      throw error;
    });
    if (response && contentType(response) === mediaTypes.ociIndex) {
      const body = await this.wire.readBody(response, this.options.maxManifestBytes, 'referrers');
      return { mediaType: mediaTypes.ociIndex, body };
    }
    if (response) await this.wire.readBody(response, this.options.maxManifestBytes, 'referrers').catch(() => undefined);
    const tagged = await this.getTaggedManifest(repo, referrersTag(digest), access);
    return tagged && { mediaType: tagged.mediaType, body: tagged.body };
  }

  // --- writing, for copies into the integrated registry ------------------------------------------
  // https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs

  /** Whether the repository holds the manifest (HEAD; 404 is no). */
  async hasManifest(repo: RegistryRepository, digest: string, access: RegistryAccess): Promise<boolean> {
    return this.exists(repo, `/v2/${repo.repository}/manifests/${digest}`, access, { accept: manifestAccept });
  }

  /** Whether the repository holds the blob (HEAD; 404 is no). */
  async hasBlob(repo: RegistryRepository, digest: string, access: RegistryAccess): Promise<boolean> {
    return this.exists(repo, `/v2/${repo.repository}/blobs/${digest}`, access, {});
  }

  /** A blob as a stream that fails unless it is exactly `size` bytes hashing to `digest`: never held whole in memory. */
  async openBlob(repo: RegistryRepository, digest: string, size: number, access: RegistryAccess): Promise<Readable> {
    const response = await this.auth.exchange(repo, access, 'GET', `/v2/${repo.repository}/blobs/${digest}`, {});
    const declared = Number(header(response, 'content-length') ?? 'NaN');
    if (Number.isFinite(declared) && declared !== size) {
      // Not destroy(): an unread body destroyed with no listener raises an uncaught 'aborted' error. (A
      // limit of 0 would read undici's default 128 KiB.)
      await response.body.dump({ limit: 1 });
      throw new RegistryError(
        'BadRequest',
        `${repositoryLabel(repo)}@${digest} is ${declared} bytes, not the ${size} its manifest says`,
        { transient: false },
      );
    }
    const verifier = verifiedStream(repositoryLabel(repo), digest, size);
    return pipeline(response.body, verifier, () => undefined);
  }

  /**
   * Starts a blob upload; with `mountFrom` (a repository of the same registry holding the blob) asks the
   * registry to mount it instead: `mounted` when it did, else the upload to send the bytes to.
   */
  async startUpload(
    repo: RegistryRepository,
    access: RegistryAccess,
    mount?: { digest: string; from: string },
  ): Promise<{ mounted: true } | { mounted: false; location: string }> {
    const query = mount ? `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}` : '';
    const response = await this.auth.exchange(repo, access, 'POST', `/v2/${repo.repository}/blobs/uploads/${query}`, {
      'content-length': '0',
    });
    await response.body.dump();
    if (response.statusCode === 201 && mount) return { mounted: true };
    const location = header(response, 'location');
    if (response.statusCode !== 202 || !location)
      throw new RegistryError(
        'InternalError',
        `${repositoryLabel(repo)} did not open an upload (HTTP ${response.statusCode})`,
      );
    const url = new URL(location, 'http://registry.invalid');
    return { mounted: false, location: url.pathname + url.search };
  }

  /** Sends a blob's bytes to an upload in one PUT (a monolithic upload) and completes it. */
  async finishUpload(
    repo: RegistryRepository,
    location: string,
    digest: string,
    size: number,
    body: Readable,
    access: RegistryAccess,
  ): Promise<void> {
    const path = `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
    const response = await this.auth.exchange(
      repo,
      access,
      'PUT',
      path,
      { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body,
    );
    await response.body.dump();
  }

  /** Stores a manifest's exact bytes under `reference`; refused unless the registry names the same digest. */
  async putManifest(
    repo: RegistryRepository,
    reference: string,
    mediaType: string,
    body: Uint8Array,
    access: RegistryAccess,
  ): Promise<void> {
    const response = await this.auth.exchange(
      repo,
      access,
      'PUT',
      `/v2/${repo.repository}/manifests/${reference}`,
      { 'content-type': mediaType },
      body,
    );
    await response.body.dump();
    const computed = sha256(body);
    const claimed = header(response, 'docker-content-digest');
    if (claimed && claimed !== computed) throw integrityError(repositoryLabel(repo), computed, claimed);
  }

  private async exists(
    repo: RegistryRepository,
    path: string,
    access: RegistryAccess,
    headers: Record<string, string>,
  ): Promise<boolean> {
    const response = await absentOn404(() => this.auth.exchange(repo, access, 'HEAD', path, headers));
    if (!response) return false;
    await response.body.dump();
    return true;
  }

  async listTags(repo: RegistryRepository, access: RegistryAccess, limit: number): Promise<string[]> {
    return (await this.readTagPages(repo, access, limit, maxTagPages)).tags.slice(0, limit);
  }

  async listTagPages(repo: RegistryRepository, access: RegistryAccess, maxPages: number): Promise<TagListing> {
    return this.readTagPages(repo, access, Number.POSITIVE_INFINITY, maxPages);
  }

  /** Follows `Link: <…>; rel="next"` until the registry offers no next page, `limit` tags, or `maxPages` pages. */
  private async readTagPages(
    repo: RegistryRepository,
    access: RegistryAccess,
    limit: number,
    maxPages: number,
  ): Promise<TagListing> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repo.repository}/tags/list?n=${Math.min(limit, 1000)}`;
    let pages = 0;
    for (; path && tags.length < limit && pages < maxPages; pages++) {
      const response = await this.auth.exchange(repo, access, 'GET', path, { accept: 'application/json' });
      const body = parseJson(
        await this.wire.readBody(response, this.options.maxManifestBytes, 'tag list'),
        `the tag list of ${repositoryLabel(repo)}`,
      ) as { tags?: unknown };
      if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === 'string'));
      path = nextPage(header(response, 'link'));
    }
    return { tags, pages, truncated: path !== undefined && tags.length < limit };
  }
}

/** Passes bytes through while hashing them; fails the stream past `size` bytes or when the digest differs. */
function verifiedStream(what: string, digest: string, size: number): Transform {
  const hash = createHash('sha256');
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > size)
        return callback(
          new RegistryError('BadRequest', `${what}@${digest} is larger than ${size} bytes`, { transient: false }),
        );
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      const computed = `sha256:${hash.digest('hex')}`;
      if (seen !== size || computed !== digest) return callback(integrityError(what, digest, computed));
      callback();
    },
  });
}

/** The referrers tag schema: `<alg>-<hex>`, each part truncated as the spec says. */
function referrersTag(digest: string): string {
  const [alg = '', hex = ''] = digest.split(':');
  return `${alg.slice(0, 32)}-${hex.slice(0, 64)}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** A response, or undefined when the registry answered 404 (a tag or endpoint that does not exist). */
async function absentOn404<T>(request: () => Promise<T>): Promise<T | undefined> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof ImportFailure && error.importReason === 'NotFound') return undefined;
    throw error;
  }
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

/** The path of the `Link: <…>; rel="next"` page, if any. */
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
