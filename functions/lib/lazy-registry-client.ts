import type {
  UndiciRegistryClient,
  UndiciRegistryClientOptions,
} from '../../core/adapters/registry/undici-registry-client.ts';
import type {
  RegistryAccess,
  RegistryClient,
  RegistryReference,
  RegistryRepository,
} from '../../core/ports-registry.ts';

/**
 * Loads the undici registry client on first use: most API requests never talk to a registry, and
 * leaving undici unevaluated until then keeps their cold start short.
 */
export class LazyRegistryClient implements RegistryClient {
  private readonly options: UndiciRegistryClientOptions;
  private client: Promise<UndiciRegistryClient> | undefined;

  constructor(options: UndiciRegistryClientOptions) {
    this.options = options;
  }

  private instance: UndiciRegistryClient | undefined;

  /** Registry requests sent so far (0 before the client is loaded). */
  requestCount(): number {
    return this.instance?.requestCount ?? 0;
  }

  /** The most registry requests in flight at once so far (0 before the client is loaded). */
  peakInFlight(): number {
    return this.instance?.peakInFlight ?? 0;
  }

  /** The registry's last `RateLimit-Remaining` for a host, once the client is loaded. */
  rateLimitRemaining(host: string): number | undefined {
    return this.instance?.rateLimitRemaining.get(host);
  }

  async resolve(ref: RegistryReference, access: RegistryAccess) {
    return (await this.load()).resolve(ref, access);
  }

  async getManifest(repo: RegistryRepository, digest: string, access: RegistryAccess) {
    return (await this.load()).getManifest(repo, digest, access);
  }

  async getBlob(repo: RegistryRepository, digest: string, access: RegistryAccess) {
    return (await this.load()).getBlob(repo, digest, access);
  }

  async listTags(repo: RegistryRepository, access: RegistryAccess, limit: number) {
    return (await this.load()).listTags(repo, access, limit);
  }

  async listTagPages(repo: RegistryRepository, access: RegistryAccess, maxPages: number) {
    return (await this.load()).listTagPages(repo, access, maxPages);
  }

  async getTaggedManifest(repo: RegistryRepository, tag: string, access: RegistryAccess) {
    return (await this.load()).getTaggedManifest(repo, tag, access);
  }

  async getReferrers(repo: RegistryRepository, digest: string, access: RegistryAccess) {
    return (await this.load()).getReferrers(repo, digest, access);
  }

  /** The client itself, for adapters built on it (the copy into the integrated registry). */
  loaded(): Promise<UndiciRegistryClient> {
    return this.load();
  }

  async close(): Promise<void> {
    await (await this.client)?.close();
  }

  private load(): Promise<UndiciRegistryClient> {
    this.client ??= import('../../core/adapters/registry/undici-registry-client.ts').then(
      ({ UndiciRegistryClient: Client }) => (this.instance = new Client(this.options)),
    );
    return this.client;
  }
}
