import type { IntegratedRegistryAccess, RegistryCredentials } from '../../core/ports-registry.ts';
import type { IntegratedRegistry } from '../../core/references/integrated-registry.ts';
import type { Config } from './config.ts';

/**
 * How the service reaches its own registry: at its host (or the stand-in `IMAGESTREAMS_REGISTRY_ENDPOINT`
 * names), over plain HTTP only when that host is one of the deployment's insecure registries.
 */
export function integratedRegistryAccess(
  config: Config,
  registry: IntegratedRegistry,
  /** The service's own credentials (RegistryTokenService.serviceCredentials: a self-issued login locally, ECR's token in AWS). */
  credentials: () => Promise<RegistryCredentials | undefined>,
): IntegratedRegistryAccess {
  const host = config.registryEndpoint ?? registry.host;
  return { host, insecure: config.insecureRegistries.includes(host), credentials };
}
