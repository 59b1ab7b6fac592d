import type { RegistryCredentials } from '../../core/ports-registry.ts';

/** The user and password of an `Authorization: Basic` header (RFC 7617); undefined for any other header. */
export function basicCredentials(header: string | undefined): RegistryCredentials | undefined {
  const encoded = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header ?? '')?.[1];
  if (!encoded) return undefined;
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
