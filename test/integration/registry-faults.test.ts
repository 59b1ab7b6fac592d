import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { type Fault, type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { pushImage, pushWideIndex } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';

let registry: RunningRegistry;
let proxy: FaultProxy;
let api: ApiUnderTest;
const maxEntries = 12;
const childConcurrency = 3;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.url);
  api = await startApi({
    IMAGESTREAMS_INSECURE_REGISTRIES: proxy.host,
    IMAGESTREAMS_REGISTRY_BODY_TIMEOUT_MS: '300',
    IMAGESTREAMS_REGISTRY_HEADERS_TIMEOUT_MS: '2000',
    IMAGESTREAMS_REGISTRY_MIN_RETRY_DELAY_MS: '20',
    IMAGESTREAMS_REGISTRY_MAX_RETRY_DELAY_MS: '1500',
    IMAGESTREAMS_MAX_MANIFEST_LIST_ENTRIES: String(maxEntries),
    IMAGESTREAMS_MANIFEST_LIST_CONCURRENCY: String(childConcurrency),
  });
});
afterAll(async () => {
  await api.close();
  await proxy.stop();
  await registry.stop();
});
beforeEach(() => proxy.clear());

/** A tag imported cleanly (image A), then its source re-pushed (image B) so that the next import has work to do. */
async function prepare(name: string): Promise<{ before: string; after: string }> {
  const first = await pushImage(registry, `team/${name}`, 'v1');
  const tagged = await reimport(name);
  expect(tagged.image).toBe(first.digest);
  const second = await pushImage(registry, `team/${name}`, 'v1');
  return { before: first.digest, after: second.digest };
}

async function reimport(
  name: string,
): Promise<{ status: number; image: string; condition?: { reason: string; message: string } }> {
  const response = await api.call('PUT', `/apis/image.openshift.io/v1/namespaces/faults/imagestreamtags/${name}:v1`, {
    body: { tag: { name: 'v1', from: { kind: 'DockerImage', name: `${proxy.host}/team/${name}:v1` }, generation: 0 } },
  });
  const stream = (await api.call('GET', `/apis/image.openshift.io/v1/namespaces/faults/imagestreams/${name}`)).json;
  const tag = stream.status.tags.find((t: { tag: string }) => t.tag === 'v1');
  return { status: response.status, image: tag?.items[0]?.image ?? '', condition: tag?.conditions?.[0] };
}

const manifests = /\/v2\/team\/[^/]+\/manifests\//;
const blobs = /\/v2\/team\/[^/]+\/blobs\//;

describe('imports through a misbehaving registry', () => {
  it.each<[string, string, RegExp, Fault, number]>([
    [
      'a 429 with a short Retry-After',
      'HEAD',
      manifests,
      { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
      1,
    ],
    ['503 twice', 'HEAD', manifests, { kind: 'status', status: 503 }, 2],
    ['a connection reset', 'GET', manifests, { kind: 'reset' }, 1],
  ])('retries %s and then imports', async (_what, method, path, fault, times) => {
    const { after } = await prepare(`retry-${times}-${method.toLowerCase()}-${fault.kind}`);
    proxy.inject(method, path, fault, times);
    const result = await reimport(`retry-${times}-${method.toLowerCase()}-${fault.kind}`);
    expect(result).toMatchObject({ status: 200, image: after });
    expect(result.condition).toBeUndefined();
  });

  it.each<[string, string, RegExp, Fault, string, RegExp]>([
    [
      'a 429 whose Retry-After is too long to wait',
      'HEAD',
      manifests,
      { kind: 'status', status: 429, headers: { 'retry-after': '3600' } },
      'RateLimited',
      /rate limiting.*retry after 3600s/,
    ],
    ['503 on every try', 'HEAD', manifests, { kind: 'status', status: 503 }, 'InternalError', /HTTP 503/],
    [
      'a body that stalls past the timeout',
      'GET',
      manifests,
      { kind: 'stall' },
      'InternalError',
      /timed out|UND_ERR_BODY_TIMEOUT/,
    ],
    [
      'a manifest whose bytes do not match its digest',
      'GET',
      manifests,
      { kind: 'corrupt' },
      'BadRequest',
      /content integrity error/,
    ],
    [
      'an oversized manifest',
      'GET',
      manifests,
      { kind: 'oversize', bytes: 5 * 1024 * 1024 },
      'BadRequest',
      /larger than the limit of 4194304 bytes/,
    ],
    [
      'a redirect to the cloud metadata address',
      'GET',
      blobs,
      { kind: 'redirect', location: 'http://169.254.169.254/latest/meta-data/' },
      'Forbidden',
      /169\.254\.169\.254/,
    ],
    [
      'a token realm on a link-local address',
      'HEAD',
      manifests,
      {
        kind: 'status',
        status: 401,
        headers: { 'www-authenticate': 'Bearer realm="http://169.254.169.254/token",service="registry"' },
      },
      'Forbidden',
      /169\.254\.169\.254/,
    ],
  ])('keeps the previous image when it meets %s', async (_what, method, path, fault, reason, message) => {
    const name = `fail-${reason.toLowerCase()}-${fault.kind}`;
    const { before } = await prepare(name);
    proxy.inject(method, path, fault, Number.POSITIVE_INFINITY);
    const result = await reimport(name);
    expect(result.status).toBe(200);
    expect(result.image).toBe(before);
    expect(result.condition?.reason).toBe(reason);
    expect(result.condition?.message).toMatch(message);

    proxy.clear();
    const healthy = await reimport(name);
    expect(healthy.condition).toBeUndefined();
    expect(healthy.image).not.toBe(before);
  });
});

describe('manifest lists through a counting proxy', () => {
  const importIndex = async (name: string) => {
    const response = await api.call('PUT', `/apis/image.openshift.io/v1/namespaces/lists/imagestreamtags/${name}:v1`, {
      body: { tag: { name: 'v1', from: { kind: 'DockerImage', name: `${proxy.host}/team/${name}:v1` } } },
    });
    const stream = (await api.call('GET', `/apis/image.openshift.io/v1/namespaces/lists/imagestreams/${name}`)).json;
    const tag = stream.status.tags.find((t: { tag: string }) => t.tag === 'v1');
    return { status: response.status, image: tag?.items?.[0]?.image ?? '', condition: tag?.conditions?.[0] };
  };

  it('refuses a manifest list longer than the bound before fetching any of its entries', async () => {
    const index = await pushWideIndex(registry, 'team/too-wide', 'v1', maxEntries + 1);
    const result = await importIndex('too-wide');
    expect(result.status).toBe(200);
    expect(result.image).toBe('');
    expect(result.condition?.reason).toBe('BadRequest');
    expect(result.condition?.message).toMatch(/has 13 entries, more than the 12 an import may fetch/);
    const childRequests = proxy.seen.filter((r) => index.children.some((digest) => r.includes(digest)));
    expect(childRequests).toEqual([]);
    expect(proxy.seen.filter((r) => r.includes('/blobs/'))).toEqual([]);
  });

  it('fetches the entries of a list within the bound at most a few at a time', async () => {
    const index = await pushWideIndex(registry, 'team/wide', 'v1', maxEntries);
    const result = await importIndex('wide');
    expect(result).toMatchObject({ status: 200, image: index.digest });
    expect(result.condition).toBeUndefined();
    // Every entry's manifest and config were fetched, never more than the bound at once.
    const childRequests = proxy.seen.filter((r) => index.children.some((digest) => r.includes(digest)));
    expect(childRequests).toHaveLength(maxEntries);
    expect(proxy.peakInFlight()).toBeLessThanOrEqual(childConcurrency);
  });

  it('names itself to the registry with imagestreams/<version>', async () => {
    await pushImage(registry, 'team/agent', 'v1');
    await importIndex('agent');
    expect(proxy.userAgents.length).toBeGreaterThan(0);
    expect(new Set(proxy.userAgents)).toEqual(new Set([`imagestreams/${packageJson.version}`]));
  });
});
