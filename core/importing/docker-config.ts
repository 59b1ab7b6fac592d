import type { RegistryCredentials } from '../ports-registry.ts';

const hubAliases = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** `https://index.docker.io/v1/` → `index.docker.io`: the host a `.dockerconfigjson` entry is for. */
export function registryKey(entry: string): string {
  const host =
    entry
      .replace(/^[a-z]+:\/\//i, '')
      .split('/')[0]
      ?.toLowerCase() ?? '';
  return hubAliases.has(host) ? 'docker.io' : host;
}

/** The registries and credentials of a `.dockerconfigjson` (`auths` with `auth` or `username`/`password`); throws on a malformed one. */
export function parseDockerConfig(json: string): Map<string, RegistryCredentials> {
  const parsed = JSON.parse(json) as {
    auths?: Record<string, { auth?: unknown; username?: unknown; password?: unknown }>;
  };
  if (!parsed || typeof parsed !== 'object' || !parsed.auths || typeof parsed.auths !== 'object')
    throw new Error('a docker config needs an "auths" object');
  const result = new Map<string, RegistryCredentials>();
  for (const [registry, entry] of Object.entries(parsed.auths)) {
    let username = typeof entry?.username === 'string' ? entry.username : undefined;
    let password = typeof entry?.password === 'string' ? entry.password : undefined;
    if (typeof entry?.auth === 'string') {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    }
    if (!username || password === undefined || registryKey(registry) === '')
      throw new Error(`the entry for "${registry}" needs a username and password (or auth)`);
    result.set(registryKey(registry), { username, password });
  }
  return result;
}
