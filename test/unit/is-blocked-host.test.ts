import { describe, expect, it } from 'vitest';
import { isBlockedHost, isMetadataHost } from '../../core/outbound/is-blocked-host.ts';
import { checkWebhookUrl } from '../../core/triggers/webhook-url.ts';

describe('isBlockedHost', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.100.100.200',
    '0.0.0.0',
    '224.0.0.1',
    '::',
    '::1',
    '[::1]',
    '::ffff:10.0.0.1',
    '::ffff:a00:1',
    '[::ffff:7f00:1]',
    '::a00:1',
    '::8.8.8.8',
    'fd00:ec2::254',
    'fe80::1',
    '64:ff9b::a00:1',
    'localhost',
    'LOCALHOST.',
    'app.localhost',
    'metadata.google.internal',
    'metadata.google.internal.',
    'instance-data',
    'instance-data.ec2.internal',
  ])('blocks %s', (host) => expect(isBlockedHost(host)).toBe(true));

  it.each(['8.8.8.8', '172.32.0.1', '::ffff:8.8.8.8', '2a00:1450:4001::1', 'example.com', 'metadata.example.com'])(
    'leaves %s to the lookup',
    (host) => expect(isBlockedHost(host)).toBe(false),
  );
});

describe('checkWebhookUrl', () => {
  const allowed = new Set(['127.0.0.1:8443', '[::1]:9000']);

  it.each([
    ['https://10.0.0.1/hook', 'private'],
    ['https://[::ffff:10.0.0.1]/hook', 'private'],
    ['https://0x7f.1/hook', 'private'],
    ['https://127.0.0.1:8444/hook', 'private'],
    ['https://metadata.google.internal/', 'private'],
    ['http://example.com/hook', 'plain http'],
    ['ftp://example.com/hook', 'https'],
    ['https://user:pw@example.com/hook', 'credentials'],
    ['not a url', 'absolute'],
  ])('refuses %s', (url, why) => expect(checkWebhookUrl(url, allowed)).toContain(why));

  it.each([
    'https://example.com/hook',
    'https://127.0.0.1:8443/hook',
    'http://127.0.0.1:8443/hook',
    'http://[::1]:9000/',
  ])('accepts %s', (url) => expect(checkWebhookUrl(url, allowed)).toBeUndefined());
});

describe('isMetadataHost (never suggested as an insecure registry to allow)', () => {
  it.each(['169.254.169.254', '169.254.169.254:80', '[fd00:ec2::254]', '[fe80::1]:5000', 'metadata.google.internal'])(
    'is true for %s',
    (host) => expect(isMetadataHost(host)).toBe(true),
  );
  it.each(['127.0.0.1:5000', 'localhost:5000', '10.0.0.1', '[::1]:5000', 'registry.example.com'])(
    'is false for %s',
    (host) => expect(isMetadataHost(host)).toBe(false),
  );
});
