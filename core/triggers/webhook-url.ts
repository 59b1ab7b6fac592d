/**
 * Why a webhook URL is refused, or undefined: HTTPS only, plain HTTP only for the hosts the deployment
 * allows (local mode, tests), never credentials in the URL. Addresses are checked again when connecting.
 */
export function checkWebhookUrl(url: string, allowedPrivateHosts: ReadonlySet<string>): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.username || parsed.password) return 'must not carry credentials';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && allowedPrivateHosts.has(parsed.host)) return undefined;
  return 'must be https (plain http only for hosts in IMAGESTREAMS_ALLOWED_PRIVATE_HOSTS)';
}
