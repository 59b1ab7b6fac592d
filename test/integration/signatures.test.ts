import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { type PagingProxy, startPagingProxy } from '../support/paging-proxy.ts';
import { pushCosignSignature, pushImage, pushIndex, simpleSigningPayload } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';

// Issue 16: only signed images become current. Images and cosign signatures (made here with node:crypto in
// cosign's simple-signing format) are pushed to the real registry, behind a proxy that records each request.

let registry: RunningRegistry;
let proxy: PagingProxy;
let api: ApiUnderTest;
let now = new Date('2026-11-27T12:00:00Z');
const clock = { now: () => now };
const advance = (seconds: number) => (now = new Date(now.getTime() + seconds * 1000));
const ns = (namespace: string) => `/apis/image.openshift.io/v1/namespaces/${namespace}`;

const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const edKey = generateKeyPairSync('ed25519');
const pemOf = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
const signature = (payload: Buffer, key: KeyObject, ed = false) =>
  sign(ed ? null : 'sha256', payload, key).toString('base64');
const sigKey = 'dev.cosignproject.cosign/signature';

/** Signs `digest` of `repo` as `cosign sign --key` does, by default with the trusted EC key. */
async function cosignSign(repo: string, digest: string, key: KeyObject = ecKey.privateKey, ed = false) {
  const payload = simpleSigningPayload(`${proxy.host}/${repo}`, digest);
  await pushCosignSignature(registry, repo, digest, [
    { payload, annotations: { [sigKey]: signature(payload, key, ed) } },
  ]);
}

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startPagingProxy(registry.url, 1000);
  api = await startApi(
    {
      IMAGESTREAMS_INSECURE_REGISTRIES: proxy.host,
      IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
      IMAGESTREAMS_SCHEDULE_INTERVAL_SECONDS: '60',
      IMAGESTREAMS_REGISTRY_MAX_RETRIES: '1',
      IMAGESTREAMS_REGISTRY_MIN_RETRY_DELAY_MS: '10',
    },
    clock,
  );
  for (const [namespace, name, pem] of [
    ['sig', 'cosign-pub', pemOf(ecKey.publicKey)],
    ['sig', 'ed-pub', pemOf(edKey.publicKey)],
    ['sig', 'not-a-key', ecKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
  ] as const) {
    const response = await api.call('POST', `/api/v1/namespaces/${namespace}/secrets`, {
      body: { metadata: { name }, type: 'Opaque', stringData: { 'cosign.pub': pem } },
    });
    expect(response.status).toBe(201);
  }
}, 120_000);
afterAll(async () => {
  await api?.close();
  await proxy?.stop();
  await registry?.stop();
});
beforeEach(() => proxy.clear());

type TagStatus = {
  tag: string;
  items?: { image: string; signedBy?: string }[];
  conditions?: { type: string; status: string; reason: string; message: string }[];
};
const statusOf = async (stream: string, tag = 'prod'): Promise<TagStatus | undefined> =>
  (
    (await api.call('GET', `${ns('sig')}/imagestreams/${stream}`)).json as { status: { tags: TagStatus[] } }
  ).status.tags.find((t) => t.tag === tag);
const keyed = (secret = 'cosign-pub') => ({
  'imagestreams.dev/verify': 'key',
  'imagestreams.dev/verify-key': `secret/${secret}`,
});
async function createStream(name: string, from: string, annotations: Record<string, string>, importMode?: string) {
  const response = await api.call('POST', `${ns('sig')}/imagestreams`, {
    body: {
      metadata: { name },
      spec: {
        tags: [
          {
            name: 'prod',
            from: { kind: 'DockerImage', name: `${proxy.host}/${from}` },
            importPolicy: { scheduled: true, ...(importMode ? { importMode } : {}) },
            annotations,
          },
        ],
      },
    },
  });
  expect(response.status, JSON.stringify(response.json)).toBe(201);
}
const failedEvents = () => api.bus.events.filter((e) => e.DetailType === 'ImageStreamTag Import Failed');

describe('signature verification (imagestreams.dev/verify)', () => {
  it('moves a tag only to a signed digest: an unsigned one pushed over it keeps the tag, SignatureMissing, an event', async () => {
    const signed = await pushImage(registry, 'sig/app', 'release');
    await cosignSign('sig/app', signed.digest);
    await createStream('app', 'sig/app:release', keyed());
    const status = await statusOf('app');
    expect(status?.conditions ?? []).toEqual([]);
    expect(status?.items?.map((i) => i.image)).toEqual([signed.digest]);
    expect(status?.items?.[0]?.signedBy).toMatch(/^key secret\/cosign-pub \(SHA256:[A-Za-z0-9+/=]+\)$/);

    // Unchanged: one HEAD, no signature look-up.
    proxy.clear();
    advance(60);
    await api.deps.scheduler.tick();
    expect(proxy.seen.filter((r) => r.includes('/sig/app/'))).toEqual(['HEAD /v2/sig/app/manifests/release']);

    const unsigned = await pushImage(registry, 'sig/app', 'release');
    const before = failedEvents().length;
    advance(60);
    await api.deps.scheduler.tick();
    const after = await statusOf('app');
    expect(after?.items?.map((i) => i.image)).toEqual([signed.digest]);
    expect(after?.conditions?.[0]).toMatchObject({
      type: 'ImportSuccess',
      status: 'False',
      reason: 'SignatureMissing',
    });
    expect(after?.conditions?.[0]?.message).toContain(unsigned.digest);
    expect(after?.conditions?.[0]?.message).toContain('expected a signature by the key in secret/cosign-pub');
    expect(failedEvents().length).toBe(before + 1);

    // Signed afterwards (cosign signs after the push): the next pass moves the tag.
    await cosignSign('sig/app', unsigned.digest);
    advance(3600);
    await api.deps.scheduler.tick();
    const moved = await statusOf('app');
    expect(moved?.items?.map((i) => i.image)).toEqual([unsigned.digest, signed.digest]);
    expect(moved?.conditions ?? []).toEqual([]);
    const changed = api.bus.events
      .filter((e) => e.DetailType === 'ImageStreamTag Changed')
      .map((e) => JSON.parse(e.Detail) as { imageStream: string; image: string; signedBy?: string })
      .filter((d) => d.imageStream === 'app');
    expect(changed.at(-1)).toMatchObject({ image: unsigned.digest, signedBy: moved?.items?.[0]?.signedBy });
    const described = (await api.call('GET', `${ns('sig')}/imagestreams/app/describe`)).text;
    expect(described).toContain('only signed images: key secret/cosign-pub');
    expect(described).toContain(`signed by ${moved?.items?.[0]?.signedBy}`);
  });

  it.each([
    ['a signature by another key', 'signature verification failed'],
    ['a tampered payload', 'signature verification failed'],
    ['a signature of another digest', 'the payload signs sha256:'],
  ])('refuses %s with SignatureInvalid, naming what it found', async (what, found) => {
    const repo = `sig/bad-${what.split(' ').at(-1)}`;
    const image = await pushImage(registry, repo, 'v1');
    const payload = simpleSigningPayload(repo, image.digest);
    if (what.includes('another key'))
      await pushCosignSignature(registry, repo, image.digest, [
        { payload, annotations: { [sigKey]: signature(payload, otherKey.privateKey) } },
      ]);
    if (what.includes('tampered')) {
      const tampered = Buffer.from(payload.toString().replace('"optional":null', '"optional":{"by":"mallory"}'));
      await pushCosignSignature(registry, repo, image.digest, [
        { payload: tampered, annotations: { [sigKey]: signature(payload, ecKey.privateKey) } },
      ]);
    }
    if (what.includes('another digest')) {
      const other = await pushImage(registry, repo, 'v2');
      const forOther = simpleSigningPayload(repo, other.digest);
      await pushCosignSignature(registry, repo, image.digest, [
        { payload: forOther, annotations: { [sigKey]: signature(forOther, ecKey.privateKey) } },
      ]);
    }
    const stream = `bad-${what.split(' ').at(-1)}`;
    await createStream(stream, `${repo}:v1`, keyed());
    const status = await statusOf(stream);
    expect(status?.items ?? []).toEqual([]);
    expect(status?.conditions?.[0]).toMatchObject({ reason: 'SignatureInvalid', status: 'False' });
    expect(status?.conditions?.[0]?.message).toContain(found);
    expect(status?.conditions?.[0]?.message).toContain('expected a signature by the key in secret/cosign-pub');
  });

  it('verifies Ed25519 keys, and refuses a key Secret that is missing or holds no public key', async () => {
    const image = await pushImage(registry, 'sig/ed', 'v1');
    await cosignSign('sig/ed', image.digest, edKey.privateKey, true);
    await createStream('ed', 'sig/ed:v1', keyed('ed-pub'));
    expect((await statusOf('ed'))?.items?.map((i) => i.image)).toEqual([image.digest]);

    await createStream('nokey', 'sig/ed:v1', keyed('absent'));
    expect((await statusOf('nokey'))?.conditions?.[0]?.message).toContain('secret/absent does not exist');
    await createStream('badkey', 'sig/ed:v1', keyed('not-a-key'));
    const bad = await statusOf('badkey');
    expect(bad?.items ?? []).toEqual([]);
    expect(bad?.conditions?.[0]?.message).toContain('cosign.pub is not a PEM public key');
  });

  it('verifies a digest once per policy: another tag of the same digest costs no signature look-up', async () => {
    const image = await pushImage(registry, 'sig/cached', 'v1');
    await cosignSign('sig/cached', image.digest);
    await createStream('cached-a', 'sig/cached:v1', keyed());
    expect(proxy.seen.filter((r) => r.includes('.sig'))).toHaveLength(1);
    proxy.clear();
    await createStream('cached-b', 'sig/cached:v1', keyed());
    expect((await statusOf('cached-b'))?.items?.[0]?.signedBy).toContain('secret/cosign-pub');
    expect(proxy.seen.filter((r) => r.includes('.sig') || r.includes('/blobs/'))).toEqual([]);
  });

  it('checks the index digest for PreserveOriginal and the platform digest for Legacy, as cosign signs them', async () => {
    const index = await pushIndex(registry, 'sig/multi', 'v1', 'oci');
    const amd64 = index.children[0]?.digest as string;
    await cosignSign('sig/multi', index.digest);
    await createStream('multi-index', 'sig/multi:v1', keyed());
    expect((await statusOf('multi-index'))?.items?.map((i) => i.image)).toEqual([index.digest]);
    // Only the index is signed (cosign sign without -r): Legacy picks linux/amd64, which has no signature.
    await createStream('multi-legacy', 'sig/multi:v1', keyed(), 'Legacy');
    const legacy = await statusOf('multi-legacy');
    expect(legacy?.items ?? []).toEqual([]);
    expect(legacy?.conditions?.[0]?.reason).toBe('SignatureMissing');
    expect(legacy?.conditions?.[0]?.message).toContain(amd64);
    await cosignSign('sig/multi', amd64);
    advance(3600);
    await api.deps.scheduler.tick();
    expect((await statusOf('multi-legacy'))?.items?.map((i) => i.image)).toEqual([amd64]);

    // A platform signature does not stand for the index.
    const other = await pushIndex(registry, 'sig/multi2', 'v1', 'oci');
    await cosignSign('sig/multi2', other.children[0]?.digest as string);
    await createStream('multi2', 'sig/multi2:v1', keyed());
    expect((await statusOf('multi2'))?.conditions?.[0]?.reason).toBe('SignatureMissing');
  });

  it('refuses malformed verify annotations with a 422 naming the annotation', async () => {
    const response = await api.call('POST', `${ns('sig')}/imagestreams`, {
      body: {
        metadata: { name: 'malformed' },
        spec: {
          tags: [
            {
              name: 'prod',
              from: { kind: 'DockerImage', name: `${proxy.host}/sig/app:release` },
              annotations: { 'imagestreams.dev/verify': 'key', 'imagestreams.dev/verify-key': 'cosign-pub' },
            },
          ],
        },
      },
    });
    expect(response.status).toBe(422);
    expect(response.json.details.causes).toEqual([
      expect.objectContaining({ field: 'spec.tags[0].annotations[imagestreams.dev/verify-key]' }),
    ]);
    expect((await api.call('GET', `${ns('sig')}/imagestreams/malformed`)).status).toBe(404);
  });
});
