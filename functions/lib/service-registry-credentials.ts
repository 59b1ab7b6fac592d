import type { RegistryCredentials } from '../../core/ports-registry.ts';

/**
 * The service's own credentials for its integrated registry in local mode, the one place they come from.
 * None while that registry runs without authentication; token auth fills this in.
 */
export async function serviceRegistryCredentials(): Promise<RegistryCredentials | undefined> {
  return undefined;
}
