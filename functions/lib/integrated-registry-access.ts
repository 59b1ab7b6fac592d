import type { IntegratedRegistryAccess, RegistryCredentials } from '../../core/ports-registry.ts';
import type { IntegratedRegistry } from '../../core/references/integrated-registry.ts';
import type { Config } from './config.ts';

/**
 * How the service reaches its own registry: at its host (or the stand-in `IMAGESTREAMS_REGISTRY_ENDPOINT`
 * names), over plain HTTP only when that host is one of the deployment's insecure registries.
 */
export function integratedRegistryAccess(config: Config, registry: IntegratedRegistry): IntegratedRegistryAccess {
  const host = config.registryEndpoint ?? registry.host;
  return {
    host,
    insecure: config.insecureRegistries.includes(host),
    credentials: () => serviceRegistryCredentials(registry),
  };
}

/**
 * The one place the service's own credentials for its integrated registry come from. None yet: local
 * mode's registry is open on loopback, and ECR credentials come with registry tokens (issue 15, tokens).
 */
async function serviceRegistryCredentials(_registry: IntegratedRegistry): Promise<RegistryCredentials | undefined> {
  return undefined;
}
