import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface HookValues {
  host: string;
  repo: string;
  tag: string;
  digest: string;
  /** The receiver's shared token: sent as is or used to sign, as the registry would. */
  token: string;
}

/**
 * A registry's delivery from test/fixtures/hooks/<type>.json (written from each registry's documented
 * payload shape), filled in and signed as that registry signs: `{{hmac-sha256}}` is the hex HMAC-SHA256
 * of the body as sent, keyed with the token.
 */
export function hookDelivery(type: string, values: HookValues): { headers: Record<string, string>; body: string } {
  const fixture = JSON.parse(readFileSync(new URL(`../fixtures/hooks/${type}.json`, import.meta.url), 'utf8')) as {
    headers: Record<string, string>;
    body: unknown;
  };
  const fill = (text: string) =>
    text
      .replaceAll('{{host}}', values.host)
      .replaceAll('{{repo}}', values.repo)
      .replaceAll('{{tag}}', values.tag)
      .replaceAll('{{digest-hex}}', values.digest.replace(/^sha256:/, ''))
      .replaceAll('{{digest}}', values.digest)
      .replaceAll('{{token}}', values.token);
  const body = fill(JSON.stringify(fixture.body));
  const signature = `sha256=${createHmac('sha256', values.token).update(body).digest('hex')}`;
  const headers = Object.fromEntries(
    Object.entries(fixture.headers).map(([k, v]) => [k, fill(v).replaceAll('{{hmac-sha256}}', signature)]),
  );
  return { headers, body };
}
