import { readFileSync } from 'node:fs';
import {
  LocalRegistryTokens,
  localRegistryTokenNames,
} from '../../core/adapters/registry-tokens/local-registry-tokens.ts';
import type { Clock } from '../../core/ports.ts';
import type { RegistryLogins, RegistryTokenRealm } from '../../core/ports-registry.ts';
import type { Config } from './config.ts';
import { once } from './once.ts';

/**
 * Who issues credentials for the integrated registry: ECR under scoped STS sessions when the deployment names
 * a token role (its clients load with the first token), else the local key that signs for the local registry's
 * token realm; nobody when the registry is off or neither is configured.
 */
export function registryLogins(
  config: Config,
  clock: Clock,
): { logins: RegistryLogins; realm?: RegistryTokenRealm } | undefined {
  const registry = config.integratedRegistry;
  if (!registry) return undefined;
  const roleArn = config.registryTokenRoleArn;
  if (roleArn) {
    const ecr = once(
      async () =>
        new (await import('../../core/adapters/ecr/ecr-registry-logins.ts')).EcrRegistryLogins({
          registry,
          roleArn,
          sessionSeconds: config.registryTokenSeconds,
          stsEndpoint: config.stsEndpoint,
          ecrEndpoint: config.ecrEndpoint,
        }),
    );
    return {
      logins: {
        issue: async (grant, subject) => (await ecr()).issue(grant, subject),
        serviceLogin: async () => (await ecr()).serviceLogin(),
      },
    };
  }
  if (!config.registryTokenKey) return undefined;
  const local = new LocalRegistryTokens({
    pem: readFileSync(config.registryTokenKey, 'utf8'),
    ...localRegistryTokenNames,
    loginSeconds: config.registryTokenSeconds,
    clock,
  });
  return { logins: local, realm: local };
}
