import { describe, expect, it } from 'vitest';
import { PushPayloadError, parsePush } from '../../core/receivers/parse-push.ts';
import { verifyDelivery } from '../../core/receivers/verify-delivery.ts';
import { deriveWebhookToken, sameSecret } from '../../core/receivers/webhook-token.ts';
import { normalizeRepository } from '../../core/references/source-repository.ts';
import { hookDelivery } from '../support/hook-fixture.ts';

const token = 'shared-token-0123456789abcdef';
const digest = `sha256:${'9f'.repeat(32)}`;
const values = { host: 'reg.example.com', repo: 'acme/web', tag: '1.4.2', digest, token };
const read = (type: Parameters<typeof parsePush>[0], d = hookDelivery(type, values), registry?: string) =>
  parsePush(type, d.headers, d.body, registry);
const verifies = (type: Parameters<typeof verifyDelivery>[0], d: { headers: Record<string, string>; body: string }) =>
  verifyDelivery(type, d.headers, Buffer.from(d.body), token);

describe('parsePush', () => {
  it.each([
    ['dockerhub', [{ repository: 'docker.io/acme/web', tag: '1.4.2' }]],
    ['quay', [{ repository: 'reg.example.com/acme/web', tag: '1.4.2' }]],
    ['harbor', [{ repository: 'reg.example.com/acme/web', tag: '1.4.2', digest }]],
    ['github', [{ repository: 'reg.example.com/acme/web', tag: '1.4.2', digest }]],
    ['gitlab', [{ repository: 'reg.example.com/acme/web', tag: '1.4.2', digest }]],
    ['acr', [{ repository: 'reg.example.com/acme/web', tag: '1.4.2', digest }]],
    // The blob push in the same envelope is noise.
    ['distribution', [{ repository: 'reg.example.com/acme/web', tag: '1.4.2', digest }]],
    ['generic-hmac', [{ repository: 'reg.example.com/acme/web', tag: '1.4.2', digest }]],
  ] as const)('reads what a %s push names', (type, expected) => {
    expect(read(type)).toEqual(expected);
  });

  it('reads Artifactory pushes with the host the receiver names', () => {
    expect(read('artifactory', undefined, 'acme.jfrog.io/docker-local')).toEqual([
      { repository: 'acme.jfrog.io/docker-local/acme/web', tag: '1.4.2', digest },
    ]);
  });

  it('reads a GitHub delivery sent form-encoded', () => {
    const json = hookDelivery('github', values);
    const form = `payload=${encodeURIComponent(json.body)}`;
    expect(
      read('github', { headers: { ...json.headers, 'content-type': 'application/x-www-form-urlencoded' }, body: form }),
    ).toEqual(read('github'));
  });

  it('takes pings, pulls and deletes for what they are: no push', () => {
    const github = hookDelivery('github', values);
    expect(
      read('github', { headers: { ...github.headers, 'x-github-event': 'ping' }, body: '{"zen":"Keep it simple."}' }),
    ).toEqual([]);
    const harbor = JSON.parse(hookDelivery('harbor', values).body);
    expect(read('harbor', { headers: {}, body: JSON.stringify({ ...harbor, type: 'PULL_ARTIFACT' }) })).toEqual([]);
    const acr = JSON.parse(hookDelivery('acr', values).body);
    expect(read('acr', { headers: {}, body: JSON.stringify({ ...acr, action: 'delete' }) })).toEqual([]);
    const distribution = JSON.parse(hookDelivery('distribution', values).body);
    distribution.events = distribution.events.map((e: { action: string }) => ({ ...e, action: 'pull' }));
    expect(read('distribution', { headers: {}, body: JSON.stringify(distribution) })).toEqual([]);
  });

  it('refuses malformed JSON and payloads of another type', () => {
    expect(() => read('quay', { headers: {}, body: '{"docker_url": ' })).toThrow(PushPayloadError);
    expect(() => read('distribution', hookDelivery('quay', values))).toThrow(PushPayloadError);
    expect(() => read('dockerhub', { headers: {}, body: '[]' })).toThrow(PushPayloadError);
  });
});

describe('verifyDelivery', () => {
  it.each(['harbor', 'github', 'gitlab', 'artifactory', 'acr', 'distribution', 'generic-hmac'] as const)(
    '%s: accepts the shared secret as the registry sends it, and nothing else',
    (type) => {
      expect(verifies(type, hookDelivery(type, values))).toBe(true);
      expect(verifies(type, hookDelivery(type, { ...values, token: 'another-token-0123456789' }))).toBe(false);
      const signed = hookDelivery(type, values);
      expect(verifies(type, { ...signed, headers: {} })).toBe(false);
    },
  );

  it('checks the body a signature covers', () => {
    const signed = hookDelivery('github', values);
    expect(verifies('github', { ...signed, body: signed.body.replace('1.4.2', '6.6.6') })).toBe(false);
  });

  it('accepts generic-hmac signatures in sha1 and sha512, not in an unknown algorithm', async () => {
    const { createHmac } = await import('node:crypto');
    const body = '{"repository":"reg.example.com/acme/web"}';
    const sig = (algo: string) => ({ 'x-signature': `${algo}=${createHmac(algo, token).update(body).digest('hex')}` });
    expect(verifyDelivery('generic-hmac', sig('sha1'), Buffer.from(body), token)).toBe(true);
    expect(verifyDelivery('generic-hmac', sig('sha512'), Buffer.from(body), token)).toBe(true);
    expect(verifyDelivery('generic-hmac', sig('md5'), Buffer.from(body), token)).toBe(false);
  });
});

describe('webhook tokens', () => {
  it('are 256-bit hex, and differ by secret and by identity', () => {
    const identity = { namespace: 'demo', name: 'quay', uid: 'u1' };
    const a = deriveWebhookToken(token, identity);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(deriveWebhookToken('other-secret-0123456789', identity)).not.toBe(a);
    expect(deriveWebhookToken(token, { ...identity, uid: 'u2' })).not.toBe(a);
    expect(deriveWebhookToken(token, { ...identity, namespace: 'demo2' })).not.toBe(a);
  });

  it('compare equal only when equal, whatever the lengths', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'a')).toBe(false);
  });
});

describe('normalizeRepository', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['nginx:1.27', 'docker.io/library/nginx'],
    ['library/nginx', 'docker.io/library/nginx'],
    ['index.docker.io/library/nginx', 'docker.io/library/nginx'],
    ['registry-1.docker.io/acme/web:v1', 'docker.io/acme/web'],
    ['Quay.IO/acme/web@sha256:' + '0'.repeat(64), 'quay.io/acme/web'],
    ['127.0.0.1:5000/acme/web:v1', '127.0.0.1:5000/acme/web'],
  ])('%s → %s', (spec, expected) => {
    expect(normalizeRepository(spec)).toBe(expected);
  });

  it('is undefined for what is not a pull spec', () => {
    expect(normalizeRepository('UPPER/case')).toBeUndefined();
    expect(normalizeRepository('')).toBeUndefined();
  });
});
