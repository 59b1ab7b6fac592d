import { localRegistryTokenNames } from '../../core/adapters/registry-tokens/local-registry-tokens.ts';
import { registryTokenPath } from '../lib/routes.ts';

/**
 * The `auth` section of the local registry's config.yml: token authentication whose realm is the service
 * (`serviceUrl`, e.g. `https://127.0.0.1:8080`), checking tokens against the certificate of the key the
 * service signs with (ensureRegistryTokenKey's `certFile`). https://distribution.github.io/distribution/about/configuration/#token
 */
export function registryTokenAuth(serviceUrl: string, certFile: string): string {
  return [
    'auth:',
    '  token:',
    `    realm: ${serviceUrl}${registryTokenPath}`,
    `    service: ${localRegistryTokenNames.service}`,
    `    issuer: ${localRegistryTokenNames.issuer}`,
    `    rootcertbundle: ${certFile}`,
    '',
  ].join('\n');
}
