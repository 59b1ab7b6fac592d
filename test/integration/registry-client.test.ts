import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../core/adapters/registry/transport/registry-error.ts';
import {
  defaultRegistryClientOptions,
  UndiciRegistryClient,
} from '../../core/adapters/registry/undici-registry-client.ts';
import { ImportFailure } from '../../core/importing/import-failure.ts';
import { mediaTypes } from '../../core/importing/media-types.ts';
import { parseRegistryReference } from '../../core/references/registry-reference.ts';
import { pushImage, pushIndex } from '../support/push-image.ts';
import { type RunningRegistry, sha256, startRegistry } from '../support/registry.ts';

const registries: Record<string, RunningRegistry> = {};
let client: UndiciRegistryClient;

beforeAll(async () => {
  [registries.anonymous, registries.basic, registries.token] = await Promise.all([
    startRegistry(),
    startRegistry({ kind: 'htpasswd' }),
    startRegistry({ kind: 'token' }),
  ]);
  client = new UndiciRegistryClient({
    ...defaultRegistryClientOptions,
    localHosts: new Set(Object.values(registries).flatMap((r) => [r.host, ...(r.tokenHost ? [r.tokenHost] : [])])),
  });
});
afterAll(async () => {
  await client.close();
  await Promise.all(Object.values(registries).map((r) => r.stop()));
});

const repoOf = (registry: RunningRegistry, spec: string) => parseRegistryReference(`${registry.host}/${spec}`);

describe('UndiciRegistryClient against a real registry', () => {
  it.each(['anonymous', 'basic', 'token'])('resolves a tag with one HEAD once authenticated (%s)', async (name) => {
    const registry = registries[name] as RunningRegistry;
    const pushed = await pushImage(registry, 'team/app', 'v1');
    const access = { insecure: false, credentials: registry.user };
    expect(await client.resolve(repoOf(registry, 'team/app:v1'), access)).toEqual({
      digest: pushed.digest,
      mediaType: mediaTypes.dockerManifest,
    });
    const before = client.requestCount;
    await client.resolve(repoOf(registry, 'team/app:v1'), access);
    expect(client.requestCount - before).toBe(1);
  });

  it('verifies manifests and configs by digest', async () => {
    const registry = registries.anonymous as RunningRegistry;
    const pushed = await pushImage(registry, 'team/oci', 'v1', { format: 'oci' });
    const manifest = await client.getManifest(repoOf(registry, 'team/oci'), pushed.digest, { insecure: false });
    expect(manifest.mediaType).toBe(mediaTypes.ociManifest);
    expect(sha256(Buffer.from(manifest.body))).toBe(pushed.digest);
    const config = JSON.parse(
      Buffer.from(
        await client.getBlob(repoOf(registry, 'team/oci'), pushed.configDigest, { insecure: false }),
      ).toString(),
    );
    expect(config.architecture).toBe('amd64');
  });

  it('resolves an index to the index digest', async () => {
    const registry = registries.anonymous as RunningRegistry;
    const index = await pushIndex(registry, 'team/multi', 'v1', 'oci');
    expect(await client.resolve(repoOf(registry, 'team/multi:v1'), { insecure: false })).toEqual({
      digest: index.digest,
      mediaType: mediaTypes.ociIndex,
    });
  });

  it('sees a re-pushed tag move to a new digest', async () => {
    const registry = registries.anonymous as RunningRegistry;
    const first = await pushImage(registry, 'team/moving', 'v1');
    const second = await pushImage(registry, 'team/moving', 'v1');
    expect(second.digest).not.toBe(first.digest);
    expect((await client.resolve(repoOf(registry, 'team/moving:v1'), { insecure: false })).digest).toBe(second.digest);
  });

  it('lists tags', async () => {
    const registry = registries.anonymous as RunningRegistry;
    for (const tag of ['1.0', '1.1', 'latest']) await pushImage(registry, 'team/tags', tag);
    expect((await client.listTags(repoOf(registry, 'team/tags'), { insecure: false }, 10)).sort()).toEqual([
      '1.0',
      '1.1',
      'latest',
    ]);
    expect(await client.listTags(repoOf(registry, 'team/tags'), { insecure: false }, 2)).toHaveLength(2);
  });

  it.each([
    ['a missing tag', 'anonymous', 'team/app', 'nope', undefined, 'NotFound'],
    ['a missing repository', 'anonymous', 'team/ghost', 'v1', undefined, 'NotFound'],
    ['no credentials on Basic auth', 'basic', 'team/app', 'v1', undefined, 'Unauthorized'],
    [
      'wrong credentials on Basic auth',
      'basic',
      'team/app',
      'v1',
      { username: 'feas', password: 'wrong' },
      'Unauthorized',
    ],
    ['no credentials on token auth', 'token', 'team/app', 'v1', undefined, 'Unauthorized'],
    [
      'wrong credentials on token auth',
      'token',
      'team/app',
      'v1',
      { username: 'feas', password: 'wrong' },
      'Unauthorized',
    ],
  ])('reports %s as %s', async (_what, name, repository, tag, credentials, reason) => {
    const registry = registries[name] as RunningRegistry;
    const error = await client
      .resolve(repoOf(registry, `${repository}:${tag}`), { insecure: false, credentials })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportFailure);
    expect((error as ImportFailure).importReason).toBe(reason);
  });

  it("keeps the registry's own error codes and whether a retry may help", async () => {
    const registry = registries.basic as RunningRegistry;
    await pushImage(registry, 'team/codes', 'v1');
    // A GET carries the error body (a HEAD cannot).
    const missing = await client
      .getManifest(repoOf(registry, 'team/codes'), `sha256:${'0'.repeat(64)}`, {
        insecure: false,
        credentials: registry.user,
      })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(RegistryError);
    expect(missing).toMatchObject({
      status: 404,
      codes: ['MANIFEST_UNKNOWN'],
      transient: false,
      importReason: 'NotFound',
    });
  });

  it('refuses a registry on a private address that is not configured as local', async () => {
    const strict = new UndiciRegistryClient({ ...defaultRegistryClientOptions, localHosts: new Set() });
    try {
      const error = await strict
        .resolve(repoOf(registries.anonymous as RunningRegistry, 'team/app:v1'), { insecure: true })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImportFailure);
      expect((error as ImportFailure).importReason).toBe('Forbidden');
      expect((error as ImportFailure).message).toContain(
        `to allow this registry, add "${(registries.anonymous as RunningRegistry).host}" to IMAGESTREAMS_INSECURE_REGISTRIES`,
      );
      const byName = await strict
        .resolve(
          parseRegistryReference(
            `localhost:${(registries.anonymous as RunningRegistry).host.split(':')[1]}/team/app:v1`,
          ),
          {
            insecure: true,
          },
        )
        .catch((e: unknown) => e);
      expect((byName as ImportFailure).importReason).toBe('Forbidden');
      expect((byName as ImportFailure).message).toMatch(/add "localhost:\d+" to IMAGESTREAMS_INSECURE_REGISTRIES/);
    } finally {
      await strict.close();
    }
  });
});
