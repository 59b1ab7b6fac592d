import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryCopyServer } from '../../core/adapters/registry/registry-copy-server.ts';
import { UndiciRegistryClient } from '../../core/adapters/registry/undici-registry-client.ts';
import { mediaTypes } from '../../core/importing/media-types.ts';
import { parseRegistryReference } from '../../core/references/registry-reference.ts';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { pushImage, pushIndex } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';

let integrated: RunningRegistry;
let source: RunningRegistry;
let api: ApiUnderTest;
let small: ApiUnderTest;
let off: ApiUnderTest;
let client: UndiciRegistryClient;
let copier: RegistryCopyServer;

beforeAll(async () => {
  [integrated, source] = await Promise.all([startRegistry(), startRegistry()]);
  const insecure = `${integrated.host},${source.host}`;
  [api, small, off] = await Promise.all([
    startApi({ IMAGESTREAMS_REGISTRY: integrated.host, IMAGESTREAMS_INSECURE_REGISTRIES: insecure }),
    startApi({
      IMAGESTREAMS_REGISTRY: integrated.host,
      IMAGESTREAMS_INSECURE_REGISTRIES: insecure,
      IMAGESTREAMS_LOCAL_REFERENCE_MAX_BYTES: '2048',
    }),
    startApi({ IMAGESTREAMS_INSECURE_REGISTRIES: insecure }),
  ]);
});
beforeAll(() => {
  client = new UndiciRegistryClient({
    connectTimeoutMs: 2_000,
    headersTimeoutMs: 5_000,
    bodyTimeoutMs: 5_000,
    maxManifestBytes: 1 << 20,
    maxBlobBytes: 1 << 20,
    maxRetries: 0,
    minRetryDelayMs: 10,
    maxRetryDelayMs: 10,
    localHosts: new Set([integrated.host, source.host]),
  });
  copier = new RegistryCopyServer({
    client,
    registry: { host: integrated.host, prefix: '' },
    maxBytes: 1 << 20,
    maxIndexEntries: 16,
    concurrency: 4,
    credentials: async () => undefined,
  });
});
afterAll(async () => {
  await client.close();
  await Promise.all([api.close(), small.close(), off.close()]);
  await Promise.all([integrated.stop(), source.stop()]);
});

const accept = [mediaTypes.ociIndex, mediaTypes.dockerList, mediaTypes.ociManifest, mediaTypes.dockerManifest].join(
  ',',
);
/** The bytes the integrated registry serves for a manifest, or its status when it has none. */
async function served(repository: string, digest: string): Promise<{ status: number; sha?: string }> {
  const response = await fetch(`${integrated.url}/v2/${repository}/manifests/${digest}`, { headers: { accept } });
  const body = Buffer.from(await response.arrayBuffer());
  return response.status === 200
    ? { status: 200, sha: `sha256:${createHash('sha256').update(body).digest('hex')}` }
    : { status: response.status };
}
async function hasBlob(repository: string, digest: string): Promise<boolean> {
  const response = await fetch(`${integrated.url}/v2/${repository}/blobs/${digest}`, { method: 'HEAD' });
  return response.status === 200;
}
const serveRequest = (stream: string, from: string, digest: string) => ({
  namespace: 'demo',
  stream,
  source: parseRegistryReference(from),
  digest,
  access: { insecure: false },
});
const tagLocal = (target: ApiUnderTest, stream: string, from: string) =>
  target.call('PUT', `/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/${stream}`, {
    body: {
      tag: {
        name: stream.split(':')[1],
        from: { kind: 'DockerImage', name: from },
        referencePolicy: { type: 'Local' },
      },
    },
  });
async function statusOf(target: ApiUnderTest, stream: string, tag: string) {
  const got = await target.call('GET', `/apis/image.openshift.io/v1/namespaces/demo/imagestreams/${stream}`);
  return got.json.status.tags.find((t: { tag: string }) => t.tag === tag);
}

describe('referencePolicy: Local in local mode (a copy into the stream repository)', () => {
  it("records the stream's repository by digest, after copying the index, its children and their blobs", async () => {
    const index = await pushIndex(source, 'library/python', '3.12', 'oci');
    const put = await tagLocal(api, 'python:3.12', `${source.host}/library/python:3.12`);
    expect(put.status).toBe(200);
    const status = await statusOf(api, 'python', '3.12');
    expect(status.items[0]).toMatchObject({
      image: index.digest,
      dockerImageReference: `${integrated.host}/demo/python@${index.digest}`,
    });
    expect(status.conditions).toBeUndefined();
    // The very bytes, so the digest a consumer pulls by is the source's.
    expect(await served('demo/python', index.digest)).toEqual({ status: 200, sha: index.digest });
    for (const child of index.children) {
      expect(await served('demo/python', child.digest)).toEqual({ status: 200, sha: child.digest });
      for (const blob of [child.configDigest, ...child.layers.map((l) => l.digest)])
        expect(await hasBlob('demo/python', blob)).toBe(true);
    }
    // Image metadata stays the source's.
    const istag = await api.call('GET', '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/python:3.12');
    expect(istag.json.image.metadata.name).toBe(index.digest);
    expect(istag.json.image.dockerImageManifests).toHaveLength(2);
  });

  it('costs one HEAD on the target to serve a digest it already holds, and copies nothing', async () => {
    const image = await pushImage(source, 'team/tool', 'v1');
    const request = serveRequest('tool', `${source.host}/team/tool:v1`, image.digest);
    const first = await copier.serve(request);
    expect(first).toEqual({ ok: true, dockerImageReference: `${integrated.host}/demo/tool@${image.digest}` });
    const before = client.requestCount;
    expect(await copier.serve(request)).toEqual(first);
    expect(client.requestCount - before).toBe(1);
  });

  it('mounts blobs a repository of the same registry holds: two requests a blob, none reading it', async () => {
    const image = await pushImage(integrated, 'other/lib', 'v1');
    const request = serveRequest('lib', `${integrated.host}/other/lib:v1`, image.digest);
    await client.hasManifest(request.source, image.digest, { insecure: false });
    const before = client.requestCount;
    expect(await copier.serve(request)).toMatchObject({ ok: true });
    // HEAD and GET of the manifest, HEAD and mounting POST per blob (config and two layers), PUT of the manifest.
    expect(client.requestCount - before).toBe(2 + 3 * 2 + 1);
    expect(await served('demo/lib', image.digest)).toEqual({ status: 200, sha: image.digest });
  });

  it('mounts blobs from another repository of the same registry instead of copying them', async () => {
    // Another stream's repository of the same namespace: another namespace's is refused (see registry-tokens).
    const image = await pushImage(integrated, 'demo/upstream', 'v1');
    const put = await tagLocal(api, 'base:v1', `${integrated.host}/demo/upstream:v1`);
    expect(put.status).toBe(200);
    expect((await statusOf(api, 'base', 'v1')).items[0].dockerImageReference).toBe(
      `${integrated.host}/demo/base@${image.digest}`,
    );
    expect(await served('demo/base', image.digest)).toEqual({ status: 200, sha: image.digest });
    for (const blob of [image.configDigest, ...image.layers.map((l) => l.digest)])
      expect(await hasBlob('demo/base', blob)).toBe(true);
  });

  it('records the source with a LocalReference condition when the image is over the copy limit, and still imports it', async () => {
    const image = await pushImage(source, 'team/big', 'v1');
    const put = await tagLocal(small, 'big:v1', `${source.host}/team/big:v1`);
    expect(put.status).toBe(200);
    const status = await statusOf(small, 'big', 'v1');
    expect(status.items[0]).toMatchObject({
      image: image.digest,
      dockerImageReference: `${source.host}/team/big@${image.digest}`,
    });
    expect(status.conditions).toEqual([
      expect.objectContaining({ type: 'LocalReference', status: 'False', reason: 'TooLarge' }),
    ]);
    expect(status.conditions[0].message).toMatch(
      /^the image is \d+ bytes, more than the 2048 a Local tag may copy into the integrated registry \(IMAGESTREAMS_LOCAL_REFERENCE_MAX_BYTES\); the tag records the source reference/,
    );
    expect(await served('demo/big', image.digest)).toEqual({ status: 404 });
    const describe = (await small.call('GET', '/apis/image.openshift.io/v1/namespaces/demo/imagestreams/big/describe'))
      .text;
    expect(describe).toContain('! warning: Not served by the integrated registry (TooLarge)');
  });

  it('records the source, without a condition, when the deployment has no integrated registry', async () => {
    const image = await pushImage(source, 'team/plain', 'v1');
    expect((await tagLocal(off, 'plain:v1', `${source.host}/team/plain:v1`)).status).toBe(200);
    const status = await statusOf(off, 'plain', 'v1');
    expect(status.items[0].dockerImageReference).toBe(`${source.host}/team/plain@${image.digest}`);
    expect(status.conditions).toBeUndefined();
  });
});
