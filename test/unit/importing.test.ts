import { describe, expect, it } from 'vitest';
import { isBlockedAddress } from '../../core/adapters/registry/outbound-guard.ts';
import { parseChallenge } from '../../core/adapters/registry/transport/www-authenticate.ts';
import { parseDockerConfig, registryKey } from '../../core/importing/docker-config.ts';
import { ImportFailure } from '../../core/importing/import-failure.ts';
import { type Descriptor, parseManifest, pickPlatform, platformEntries } from '../../core/importing/manifests.ts';
import { recordImport } from '../../core/importing/record-import.ts';
import type { TagRecord, TagReference } from '../../core/streams/types.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const entry = (os: string, architecture: string, digest: string, annotations?: Record<string, string>): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest,
  size: 500,
  platform: { os, architecture },
  ...(annotations ? { annotations } : {}),
});

describe('manifests', () => {
  const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

  it('reads an image manifest and an index', () => {
    const image = parseManifest(
      bytes({
        schemaVersion: 2,
        config: { mediaType: 'c', digest: d('c'), size: 10 },
        layers: [{ mediaType: 'l', digest: d('1'), size: 5 }],
      }),
      'application/vnd.oci.image.manifest.v1+json',
      'x',
    );
    expect(image).toMatchObject({ kind: 'image', config: { digest: d('c') }, layers: [{ digest: d('1'), size: 5 }] });
    const index = parseManifest(
      bytes({ manifests: [entry('linux', 'amd64', d('a'))] }),
      'application/vnd.oci.image.index.v1+json',
      'x',
    );
    expect(index).toMatchObject({
      kind: 'index',
      manifests: [{ digest: d('a'), platform: { os: 'linux', architecture: 'amd64' } }],
    });
  });

  it.each([
    ['not JSON', Buffer.from('{'), 'application/vnd.oci.image.manifest.v1+json', /not JSON/],
    [
      'a schema 1 manifest',
      Buffer.from('{"schemaVersion":1}'),
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
      /unsupported media type/,
    ],
    [
      'a layer without a digest',
      Buffer.from(JSON.stringify({ config: { digest: d('c'), size: 1 }, layers: [{ size: 1 }] })),
      'application/vnd.oci.image.manifest.v1+json',
      /invalid config or layer/,
    ],
    [
      'an index entry with a bad digest',
      Buffer.from(JSON.stringify({ manifests: [{ digest: 'nope', size: 1 }] })),
      'application/vnd.oci.image.index.v1+json',
      /invalid entry/,
    ],
  ])('refuses %s', (_what, body, mediaType, message) => {
    expect(() => parseManifest(body, mediaType, 'x')).toThrow(message);
    expect(() => parseManifest(body, mediaType, 'x')).toThrow(ImportFailure);
  });

  it('leaves attestation and unknown-platform entries out of the platforms', () => {
    const entries = [
      entry('linux', 'amd64', d('a')),
      entry('unknown', 'unknown', d('b'), { 'vnd.docker.reference.type': 'attestation-manifest' }),
      entry('linux', 'arm64', d('c')),
    ];
    expect(platformEntries(entries).map((e) => e.digest)).toEqual([d('a'), d('c')]);
  });

  it('picks the preferred platform, then linux/amd64, then the first entry, never an attestation', () => {
    const entries = [
      entry('unknown', 'unknown', d('b')),
      entry('linux', 'arm64', d('c')),
      entry('linux', 'amd64', d('a')),
    ];
    expect(pickPlatform(entries, { architecture: 'arm64' })?.digest).toBe(d('c'));
    expect(pickPlatform(entries, {})?.digest).toBe(d('a'));
    expect(pickPlatform(entries, { architecture: 's390x' })?.digest).toBe(d('a'));
    expect(pickPlatform([entry('linux', 'ppc64le', d('e')), entry('windows', 'amd64', d('f'))], {})?.digest).toBe(
      d('e'),
    );
    expect(pickPlatform([entry('unknown', 'unknown', d('b'))], {})).toBeUndefined();
  });
});

describe('recordImport', () => {
  const spec: TagReference = { name: 'v1', from: { kind: 'DockerImage', name: 'q/a:v1' }, generation: 3 };
  const tag: TagRecord = {
    name: 'v1',
    spec,
    items: [{ created: 't0', dockerImageReference: `q/a@${d('a')}`, image: d('a'), generation: 2 }],
    conditions: [],
    version: 4,
  };
  const ctx = { generation: 3, now: '2026-01-01T00:00:00Z', actor: 'scheduler', historyLimit: 10 };

  it('adds the imported image as the new head and reports the change', () => {
    const result = recordImport(tag, spec, { ok: true, image: d('b'), dockerImageReference: `q/a@${d('b')}` }, ctx);
    expect(result.tag.items.map((i) => i.image)).toEqual([d('b'), d('a')]);
    expect(result.event).toMatchObject({ image: d('b'), actor: 'scheduler', generation: 3 });
    expect(result.tag.version).toBe(4);
  });

  it('catches up the generation without growing history when the image did not change', () => {
    const result = recordImport(tag, spec, { ok: true, image: d('a'), dockerImageReference: `q/a@${d('a')}` }, ctx);
    expect(result.tag.items).toHaveLength(1);
    expect(result.tag.items[0]?.generation).toBe(3);
    expect(result.event).toBeUndefined();
  });

  it('keeps the image on failure and records the reason with the time of this attempt', () => {
    const failed = recordImport(
      tag,
      spec,
      { ok: false, reason: 'RateLimited', message: 'slow down', transient: true },
      ctx,
    );
    expect(failed.tag.items).toEqual(tag.items);
    expect(failed.tag.conditions).toEqual([
      {
        type: 'ImportSuccess',
        status: 'False',
        lastTransitionTime: ctx.now,
        reason: 'RateLimited',
        message: 'slow down',
        generation: 3,
      },
    ]);
    const again = recordImport(
      failed.tag,
      spec,
      { ok: false, reason: 'RateLimited', message: 'slow down', transient: true },
      { ...ctx, now: '2026-01-02T00:00:00Z' },
    );
    expect(again.tag.conditions[0]?.lastTransitionTime).toBe('2026-01-02T00:00:00Z');
  });

  it('counts attempts for the retry backoff only when the failure says it is transient', () => {
    const transient = recordImport(
      tag,
      spec,
      { ok: false, reason: 'InternalError', message: '503', transient: true },
      ctx,
    );
    expect(transient.tag.importAttempts).toBe(1);
    expect(
      recordImport(transient.tag, spec, { ok: false, reason: 'InternalError', message: '503', transient: true }, ctx)
        .tag.importAttempts,
    ).toBe(2);
    // An InternalError that will not change on a retry (a token service answering HTML) is not retried early.
    const permanent = recordImport(
      transient.tag,
      spec,
      { ok: false, reason: 'InternalError', message: 'not JSON', transient: false },
      ctx,
    );
    expect(permanent.tag.importAttempts).toBeUndefined();
  });

  it('clears a failure on the next success', () => {
    const failed = recordImport(
      tag,
      spec,
      { ok: false, reason: 'NotFound', message: 'gone', transient: false },
      ctx,
    ).tag;
    const ok = recordImport(failed, spec, { ok: true, image: d('a'), dockerImageReference: `q/a@${d('a')}` }, ctx);
    expect(ok.changed).toBe(true);
    expect(ok.tag.conditions).toEqual([]);
  });
});

describe('docker config', () => {
  it('reads auth and username/password entries and folds Docker Hub aliases together', () => {
    const config = parseDockerConfig(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('me:p:w').toString('base64') },
          'quay.io': { username: 'u', password: 'p' },
        },
      }),
    );
    expect(config.get('docker.io')).toEqual({ username: 'me', password: 'p:w' });
    expect(config.get('quay.io')).toEqual({ username: 'u', password: 'p' });
    expect(registryKey('registry-1.docker.io')).toBe('docker.io');
    expect(registryKey('127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });

  it.each([['{}'], ['{"auths":{"quay.io":{}}}'], ['{"auths":{"quay.io":{"auth":"bm9jb2xvbg=="}}}'], ['null']])(
    'refuses %s',
    (json) => {
      expect(() => parseDockerConfig(json)).toThrow();
    },
  );
});

describe('parseChallenge', () => {
  it('reads a Bearer challenge with quoted parameters', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/python:pull',
      },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry Realm' },
    });
    expect(parseChallenge(undefined)).toBeUndefined();
    expect(parseChallenge('')).toBeUndefined();
  });
});

describe('isBlockedAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    // IPv4-compatible IPv6 (::/96, deprecated by RFC 4291) reaches the embedded IPv4 address on some stacks.
    '::127.0.0.1',
    '::7f00:1',
    '::a9fe:a9fe',
    '::10.0.0.1',
    'not-an-ip',
  ])('blocks %s', (address) => expect(isBlockedAddress(address)).toBe(true));
  it.each(['8.8.8.8', '52.1.2.3', '2a00:1450:4001::1', '172.32.0.1'])('allows %s', (address) =>
    expect(isBlockedAddress(address)).toBe(false),
  );
});
