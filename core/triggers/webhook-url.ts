import { isBlockedHost } from '../outbound/is-blocked-host.ts';

/**
 * Why a webhook URL is refused, or undefined: HTTPS only, never credentials in the URL, and never a
 * loopback, private, link-local or metadata host, by the rule the outbound guard applies, except for
 * the hosts (host:port) the deployment allows (local mode, tests), which may also use plain HTTP.
 * A DNS name is checked again, with its addresses, when connecting.
 */
export function checkWebhookUrl(url: string, allowedPrivateHosts: ReadonlySet<string>): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.username || parsed.password) return 'must not carry credentials';
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be https';
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  if (allowedPrivateHosts.has(`${parsed.hostname}:${port}`) || allowedPrivateHosts.has(parsed.hostname))
    return undefined;
  if (parsed.protocol !== 'https:')
    return 'must be https (plain http only for hosts in IMAGESTREAMS_ALLOWED_PRIVATE_HOSTS)';
  if (isBlockedHost(parsed.hostname))
    return `must not point at a loopback, private, link-local or metadata address (${parsed.hostname}); only hosts in IMAGESTREAMS_ALLOWED_PRIVATE_HOSTS may`;
  return undefined;
}
