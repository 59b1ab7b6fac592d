import type { RegistryAccess } from '../../../ports-registry.ts';
import { RegistryError } from './registry-error.ts';
import type { RegistryWire } from './wire.ts';

/**
 * Which scheme a registry speaks, learned once per host: HTTPS, unless the registry may use plain HTTP
 * (insecure or local) and a `GET /v2/` ping over TLS fails, as docker does for insecure registries.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#determining-support
 */
export class SchemeProbe {
  private readonly wire: RegistryWire;
  private readonly schemes = new Map<string, 'https:' | 'http:'>();

  constructor(wire: RegistryWire) {
    this.wire = wire;
  }

  /** `scheme://host` for a registry host (host[:port]). */
  async baseUrl(host: string, access: RegistryAccess): Promise<string> {
    let scheme = this.schemes.get(host);
    if (!scheme) {
      scheme = 'https:';
      if (this.wire.mayUseHttp(host, access)) {
        try {
          const ping = await this.wire.send(
            new URL(`https://${host}/v2/`),
            'GET',
            {},
            { ...access, insecure: true },
            { maxRetries: 0, origin: host },
          );
          await ping.body.dump();
        } catch (error) {
          if (error instanceof RegistryError && error.importReason === 'Forbidden') throw error;
          scheme = 'http:';
        }
      }
      this.schemes.set(host, scheme);
    }
    return `${scheme}//${host}`;
  }
}
