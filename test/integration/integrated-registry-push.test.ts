import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create as createEcrPush } from '../../functions/ecr-push.ts';
import { findRegistryBinary, type LocalRegistry, startLocalRegistry } from '../../functions/local/local-registry.ts';
import { create as createTagChanged } from '../../functions/tag-changed.ts';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { pushCosignSignature, pushImage, simpleSigningPayload } from '../support/push-image.ts';
import { freePort, type RunningRegistry, startRegistry } from '../support/registry.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const run = promisify(execFile);
const secret = randomBytes(32).toString('hex');
const triggerSecret = 'trigger-secret-0123456789';
const image = '/apis/image.openshift.io/v1/namespaces';
const notifications = '/registry/notifications';

let api: ApiUnderTest;
let local: LocalRegistry;
/** The same registry, in the shape the push helpers take. */
let registry: RunningRegistry;
let sink: WebhookReceiver;
let dir: string;
let delivered = 0;

async function createStream(namespace: string, name: string) {
  const created = await api.call('POST', `${image}/${namespace}/imagestreams`, {
    body: { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name } },
  });
  expect(created.status, created.text).toBe(201);
  return created.json;
}

const tagOf = async (namespace: string, stream: string, tag: string) =>
  (await api.call('GET', `${image}/${namespace}/imagestreams/${stream}`)).json.status?.tags?.find(
    (t: { tag: string }) => t.tag === tag,
  );

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** What the EventBridge rule does: hand new tag-change events to the trigger fan-out. */
async function deliverEvents(): Promise<void> {
  const handler = createTagChanged(api.deps);
  const events = api.bus.events.slice(delivered).filter((e) => e.DetailType === 'ImageStreamTag Changed');
  delivered = api.bus.events.length;
  for (const e of events)
    await handler({ source: e.Source, 'detail-type': e.DetailType, detail: JSON.parse(e.Detail) });
}

/** A notification as the registry sends it, with the secret (or what a test puts there). */
function notify(events: unknown[], authorization: string | null = `Bearer ${secret}`) {
  return api.call('POST', notifications, {
    token: null,
    raw: JSON.stringify({ events }),
    headers: {
      'content-type': 'application/vnd.docker.distribution.events.v1+json',
      ...(authorization === null ? {} : { authorization }),
    },
  });
}

const pushEvent = (repository: string, tag: string | undefined, digest: string, actor?: string) => ({
  action: 'push',
  target: {
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    repository,
    digest,
    ...(tag ? { tag } : {}),
  },
  request: { host: registry.host, method: 'PUT' },
  ...(actor ? { actor: { name: actor } } : {}),
});

const changes = (stream: string) => api.bus.details('ImageStreamTag Changed').filter((d) => d.imageStream === stream);

beforeAll(async () => {
  const binary = await findRegistryBinary();
  if (!binary) throw new Error('docker-registry is not on PATH');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  sink = await startWebhookReceiver(triggerSecret);
  api = await startApi({
    IMAGESTREAMS_REGISTRY: host,
    IMAGESTREAMS_INSECURE_REGISTRIES: host,
    IMAGESTREAMS_REGISTRY_NOTIFICATIONS_SECRET: secret,
    IMAGESTREAMS_ALLOWED_PRIVATE_HOSTS: sink.host,
    IMAGESTREAMS_MAX_HOOK_BODY_BYTES: String(64 * 1024),
    IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
  });
  dir = await mkdtemp(join(tmpdir(), 'imagestreams-integrated-'));
  await writeFile(join(dir, 'ca.crt'), api.ca);
  // The registry as `npm start` runs it: its configuration, its notifications to the service.
  local = await startLocalRegistry({
    binary,
    dataDir: dir,
    caFile: join(dir, 'ca.crt'),
    settings: { port, notificationsUrl: `${api.url}${notifications}`, secret },
    onExit: () => undefined,
  });
  registry = { host, url: `http://${host}`, stop: () => local.stop() };
});
afterAll(async () => {
  await api?.close();
  await local?.stop();
  await sink?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a push to a stream repository of the integrated registry', () => {
  it('moves the tag to the pushed digest (history, cause push) and fires the tag’s trigger', async () => {
    await createStream('demo', 'web');
    const trigger = await api.call('POST', `/apis/imagestreams.dev/v1/namespaces/demo/imagetriggers`, {
      body: {
        metadata: { name: 'deploy' },
        spec: {
          from: { kind: 'ImageStreamTag', name: 'web:v1' },
          target: { webhook: { url: sink.url('/deploy'), secret: triggerSecret } },
        },
      },
    });
    expect(trigger.status, trigger.text).toBe(201);
    delivered = api.bus.events.length;

    // An image somewhere no stream owns, copied with skopeo to the stream's repository as a user would.
    await pushImage(registry, 'staging/web', 'v1');
    // skopeo writes the manifest anew (its digest differs from the source's): it says which digest it pushed.
    const digestFile = join(dir, 'skopeo-digest');
    await run('skopeo', [
      'copy',
      `--digestfile=${digestFile}`,
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      `docker://${registry.host}/staging/web:v1`,
      `docker://${registry.host}/demo/web:v1`,
    ]);
    const source = { digest: readFileSync(digestFile, 'utf8').trim() };
    const tag = await until('the tag to move', async () => {
      const t = await tagOf('demo', 'web', 'v1');
      return t?.items?.[0]?.image === source.digest ? t : undefined;
    });
    expect(tag.items).toHaveLength(1);
    expect(tag.items[0]).toMatchObject({
      dockerImageReference: `${registry.host}/demo/web@${source.digest}`,
      image: source.digest,
      actor: 'registry',
    });
    // The event is sent after the tag is written: the registry's notification may still be in flight.
    await until('the Changed event', async () => (changes('web').length ? true : undefined));
    expect(changes('web')).toEqual([
      expect.objectContaining({ tag: 'v1', image: source.digest, cause: 'push', actor: 'registry', previous: null }),
    ]);
    // The image's metadata is recorded as an import records it.
    const isimage = await api.call('GET', `${image}/demo/imagestreamimages/web@${source.digest}`);
    expect(isimage.status).toBe(200);
    expect(isimage.json.image.dockerImageMetadata.Config.Labels).toEqual({ vendor: 'tests' });
    // The staging push moved nothing anywhere.
    expect(api.bus.details('ImageStreamTag Changed')).toHaveLength(1);

    await deliverEvents();
    const hook = sink.received.find((r) => r.path === '/deploy');
    expect(hook?.signed).toBe(true);
    expect(JSON.parse(hook?.body ?? '{}').data.image).toBe(source.digest);

    // A second push adds a new head; the stream's repository in status is what was pushed to.
    const second = await pushImage(registry, 'demo/web', 'v1');
    await until('the second push', async () =>
      (await tagOf('demo', 'web', 'v1'))?.items?.[0]?.image === second.digest ? true : undefined,
    );
    const stream = (await api.call('GET', `${image}/demo/imagestreams/web`)).json;
    expect(stream.status.dockerImageRepository).toBe(`${registry.host}/demo/web`);
    expect(stream.status.tags[0].items.map((i: { image: string }) => i.image)).toEqual([second.digest, source.digest]);
  });

  it('records the pusher the registry names as the actor', async () => {
    await createStream('named', 'app');
    const pushed = await pushImage(registry, 'named/app', undefined);
    expect((await notify([pushEvent('named/app', 'v2', pushed.digest, 'alice')])).status).toBe(200);
    const tag = await tagOf('named', 'app', 'v2');
    expect(tag.items[0]).toMatchObject({ image: pushed.digest, actor: 'user:alice' });
    expect(changes('app')).toEqual([expect.objectContaining({ cause: 'push', actor: 'user:alice', tag: 'v2' })]);
  });

  it('joins a burst of notifications of one push into one verification and one change', async () => {
    await createStream('burst', 'web');
    const first = await pushImage(registry, 'burst/web', undefined);
    const second = await pushImage(registry, 'burst/web', undefined);
    let before = api.deps.registry.requestCount();
    expect((await notify([pushEvent('burst/web', 'one', first.digest)])).status).toBe(200);
    const single = api.deps.registry.requestCount() - before;
    expect(single).toBeGreaterThan(0);

    before = api.deps.registry.requestCount();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => notify([pushEvent('burst/web', 'two', second.digest)])),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(api.deps.registry.requestCount() - before).toBe(single);
    expect(changes('web').filter((c) => c.tag === 'two')).toHaveLength(1);
    // And one more, later, of the digest the tag is at: nothing asked of the registry, nothing written.
    before = api.deps.registry.requestCount();
    const version = (await api.call('GET', `${image}/burst/imagestreamtags/web:two`)).json.metadata.resourceVersion;
    await notify([pushEvent('burst/web', 'two', second.digest)]);
    expect(api.deps.registry.requestCount() - before).toBe(0);
    expect((await api.call('GET', `${image}/burst/imagestreamtags/web:two`)).json.metadata.resourceVersion).toBe(
      version,
    );
  });
});

describe('a push to a tag that asks for signatures (imagestreams.dev/verify)', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let digest: string;
  beforeAll(async () => {
    const secretResponse = await api.call('POST', '/api/v1/namespaces/signed/secrets', {
      body: {
        metadata: { name: 'cosign-pub' },
        type: 'Opaque',
        stringData: { 'cosign.pub': key.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      },
    });
    expect(secretResponse.status, secretResponse.text).toBe(201);
    // A tag that follows its own repository and takes signed images only.
    const created = await api.call('POST', `${image}/signed/imagestreams`, {
      body: {
        metadata: { name: 'app' },
        spec: {
          tags: [
            {
              name: 'prod',
              from: { kind: 'DockerImage', name: `${registry.host}/signed/app:prod` },
              annotations: { 'imagestreams.dev/verify': 'key', 'imagestreams.dev/verify-key': 'secret/cosign-pub' },
            },
          ],
        },
      },
    });
    expect(created.status, created.text).toBe(201);
    digest = (await pushImage(registry, 'signed/app', 'prod')).digest;
  });

  it('does not move the tag to an unsigned image', async () => {
    const answer = await notify([pushEvent('signed/app', 'prod', digest)]);
    // Answered 200: the registry must not retry, the signature's own push will move the tag.
    expect(answer.status).toBe(200);
    expect((await tagOf('signed', 'app', 'prod'))?.items ?? []).toEqual([]);
  });

  it('moves it once the signature is pushed, and makes no tag of the signature', async () => {
    const payload = simpleSigningPayload(`${registry.host}/signed/app`, digest);
    const signatureTag = await pushCosignSignature(registry, 'signed/app', digest, [
      {
        payload,
        annotations: {
          'dev.cosignproject.cosign/signature': sign('sha256', payload, key.privateKey).toString('base64'),
        },
      },
    ]);
    const sigTag = `sha256-${digest.slice('sha256:'.length)}.sig`;
    // The registry notifies the signature's push itself; this one is the same notification, awaited.
    const answer = await notify([pushEvent('signed/app', sigTag, signatureTag)]);
    expect(answer.status).toBe(200);
    const tag = await until('the signed image', async () => {
      const t = await tagOf('signed', 'app', 'prod');
      return t?.items?.[0]?.image === digest ? t : undefined;
    });
    expect(tag.items[0]).toMatchObject({ image: digest, signedBy: expect.any(String) });
    const stream = (await api.call('GET', `${image}/signed/imagestreams/app`)).json;
    expect(stream.status.tags.map((t: { tag: string }) => t.tag)).toEqual(['prod']);
  });

  it('answers 503, for the registry to ask again, when it cannot tell where a waiting tag points', async () => {
    // A registry that does not answer: nothing listens on its port.
    const down = `127.0.0.1:${await freePort()}`;
    const other = await startApi({
      IMAGESTREAMS_REGISTRY: down,
      IMAGESTREAMS_INSECURE_REGISTRIES: down,
      IMAGESTREAMS_REGISTRY_NOTIFICATIONS_SECRET: secret,
      IMAGESTREAMS_REGISTRY_MAX_RETRIES: '0',
    });
    try {
      const created = await other.call('POST', `${image}/signed/imagestreams`, {
        body: {
          metadata: { name: 'app' },
          spec: {
            tags: [
              {
                name: 'prod',
                from: { kind: 'DockerImage', name: `${down}/signed/app:prod` },
                annotations: { 'imagestreams.dev/verify': 'key', 'imagestreams.dev/verify-key': 'secret/cosign-pub' },
              },
            ],
          },
        },
      });
      expect(created.status, created.text).toBe(201);
      const sigTag = `sha256-${digest.slice('sha256:'.length)}.sig`;
      const answer = await other.call('POST', notifications, {
        token: null,
        raw: JSON.stringify({ events: [pushEvent('signed/app', sigTag, digest)] }),
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(answer.status, answer.text).toBe(503);
    } finally {
      await other.close();
    }
  });

  it('ignores attestation, SBOM and referrers tags', async () => {
    const hex = digest.slice('sha256:'.length);
    for (const accessory of [`sha256-${hex}.att`, `sha256-${hex}.sbom`, `sha256-${hex}`]) {
      expect((await notify([pushEvent('signed/app', accessory, digest)])).status).toBe(200);
    }
    const stream = (await api.call('GET', `${image}/signed/imagestreams/app`)).json;
    expect(stream.status.tags.map((t: { tag: string }) => t.tag)).toEqual(['prod']);
  });
});

describe('what a push notification does not change', () => {
  let digest: string;
  beforeAll(async () => {
    await createStream('bad', 'web');
    digest = (await pushImage(registry, 'bad/web', undefined)).digest;
  });

  it('refuses a missing or wrong secret with the 404 of an unknown hook, and reads nothing', async () => {
    const event = pushEvent('bad/web', 'v1', digest);
    const answers = [
      await notify([event], null),
      await notify([event], `Bearer ${secret.slice(0, -1)}x`),
      await notify([event], `Basic ${Buffer.from(`x:${secret}`).toString('base64')}`),
      await notify([event], `Bearer ${secret}0`),
    ];
    const unknownHook = await api.call('POST', `/hooks/${'0'.repeat(64)}`, { token: null, raw: '{}' });
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual(unknownHook.json);
    }
    expect(await tagOf('bad', 'web', 'v1')).toBeUndefined();
  });

  it('refuses an oversized body with 413 before reading it', async () => {
    const big = [pushEvent('bad/web', 'v1', digest), { action: 'push', padding: 'x'.repeat(70 * 1024) }];
    const answer = await notify(big);
    expect(answer.status).toBe(413);
    expect(await tagOf('bad', 'web', 'v1')).toBeUndefined();
  });

  it('refuses a body that is not a notification envelope with 400', async () => {
    const answer = await api.call('POST', notifications, {
      token: null,
      raw: 'not json',
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(answer.status).toBe(400);
  });

  it('does not move a tag to a manifest over the size limit', async () => {
    const small = await startApi({
      IMAGESTREAMS_REGISTRY: registry.host,
      IMAGESTREAMS_INSECURE_REGISTRIES: registry.host,
      IMAGESTREAMS_REGISTRY_NOTIFICATIONS_SECRET: secret,
      IMAGESTREAMS_REGISTRY_MAX_MANIFEST_BYTES: '64',
    });
    try {
      const created = await small.call('POST', `${image}/bad/imagestreams`, { body: { metadata: { name: 'web' } } });
      expect(created.status, created.text).toBe(201);
      const answer = await small.call('POST', notifications, {
        token: null,
        raw: JSON.stringify({ events: [pushEvent('bad/web', 'v1', digest)] }),
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(answer.status, answer.text).toBe(200);
      const stream = await small.call('GET', `${image}/bad/imagestreams/web`);
      expect(stream.json.status.tags).toEqual([]);
      expect(small.bus.events).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('ignores pulls, deletes, blob pushes, pushes by digest and repositories no stream owns', async () => {
    const before = api.bus.events.length;
    const answer = await notify([
      { ...pushEvent('bad/web', 'v1', digest), action: 'pull' },
      { ...pushEvent('bad/web', 'v1', digest), action: 'delete' },
      {
        action: 'push',
        target: { mediaType: 'application/octet-stream', repository: 'bad/web', digest },
      },
      pushEvent('bad/web', undefined, digest),
      pushEvent('bad/nothing', 'v1', digest),
      pushEvent('bad/web/deeper', 'v1', digest),
      pushEvent('web', 'v1', digest),
    ]);
    expect(answer.status).toBe(200);
    expect(api.bus.events.length).toBe(before);
    expect(await tagOf('bad', 'web', 'v1')).toBeUndefined();
    expect((await api.call('GET', `${image}/bad/imagestreams/nothing`)).status).toBe(404);
  });

  it('does not move a tag to a digest the registry does not serve, nor to one of another repository', async () => {
    const elsewhere = (await pushImage(registry, 'staging/other', undefined)).digest;
    const answer = await notify([
      pushEvent('bad/web', 'v1', `sha256:${'1'.repeat(64)}`),
      pushEvent('bad/web', 'v2', elsewhere),
      pushEvent('bad/web', 'v3', 'sha256:not-a-digest'),
    ]);
    expect(answer.status).toBe(200);
    for (const tag of ['v1', 'v2', 'v3']) expect(await tagOf('bad', 'web', tag)).toBeUndefined();
  });

  it('neither moves nor recreates a deleted stream', async () => {
    await createStream('gone', 'web');
    const pushed = await pushImage(registry, 'gone/web', undefined);
    expect((await api.call('DELETE', `${image}/gone/imagestreams/web`)).status).toBe(200);
    expect((await notify([pushEvent('gone/web', 'v1', pushed.digest)])).status).toBe(200);
    expect((await api.call('GET', `${image}/gone/imagestreams/web`)).status).toBe(404);
  });
});

describe('ECR pushes to the integrated registry (EventBridge, default bus)', () => {
  const account = '123456789012';
  const ecrHost = `${account}.dkr.ecr.eu-west-1.amazonaws.com`;
  const event = JSON.parse(readFileSync(new URL('../fixtures/hooks/ecr-image-action.json', import.meta.url), 'utf8'));
  let ecr: ApiUnderTest;
  /** A plain registry standing in for the account's ECR registry. */
  let standIn: RunningRegistry;
  const ecrPush = (detail: Record<string, string>, overrides: Record<string, string> = {}) =>
    createEcrPush(ecr.deps)({ ...event, ...overrides, detail: { ...event.detail, ...detail } });

  beforeAll(async () => {
    standIn = await startRegistry();
    ecr = await startApi({
      IMAGESTREAMS_REGISTRY: `${ecrHost}/imagestreams`,
      IMAGESTREAMS_REGISTRY_ENDPOINT: standIn.host,
      IMAGESTREAMS_INSECURE_REGISTRIES: standIn.host,
    });
    const created = await ecr.call('POST', `${image}/demo/imagestreams`, {
      body: { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'web' } },
    });
    expect(created.json.status.dockerImageRepository).toBe(`${ecrHost}/imagestreams/demo/web`);
  });
  afterAll(async () => {
    await ecr?.close();
    await standIn?.stop();
  });

  it('moves the stream’s tag, cause push, actor ecr, with the ECR reference', async () => {
    const pushed = await pushImage(standIn, 'imagestreams/demo/web', '1.0');
    const outcome = await ecrPush({
      'repository-name': 'imagestreams/demo/web',
      'image-tag': '1.0',
      'image-digest': pushed.digest,
    });
    expect(outcome).toMatchObject({ integrated: { result: 'moved' } });
    const tag = (await ecr.call('GET', `${image}/demo/imagestreamtags/web:1.0`)).json;
    expect(tag.image.metadata.name).toBe(pushed.digest);
    expect(tag.image.dockerImageReference).toBe(`${ecrHost}/imagestreams/demo/web@${pushed.digest}`);
    expect(ecr.bus.details('ImageStreamTag Changed')).toEqual([
      expect.objectContaining({ tag: '1.0', image: pushed.digest, cause: 'push', actor: 'ecr' }),
    ]);
  });

  it('does not move a tag back to an older push handled after a newer one', async () => {
    const older = await pushImage(standIn, 'imagestreams/demo/web', '3.0');
    const newer = await pushImage(standIn, 'imagestreams/demo/web', '3.0');
    const push = (digest: string) =>
      ecrPush({ 'repository-name': 'imagestreams/demo/web', 'image-tag': '3.0', 'image-digest': digest });
    expect(await push(newer.digest)).toMatchObject({ integrated: { result: 'moved' } });
    // The older push's event, retried late or handled by a slower instance.
    expect(await push(older.digest)).toMatchObject({ integrated: { result: 'ignored' } });
    const tag = (await ecr.call('GET', `${image}/demo/imagestreamtags/web:3.0`)).json;
    expect(tag.image.metadata.name).toBe(newer.digest);
  });

  it('leaves streams alone for pushes of another account or region, outside the prefix, or by digest', async () => {
    const pushed = await pushImage(standIn, 'imagestreams/demo/web', '2.0');
    const detail = { 'repository-name': 'imagestreams/demo/web', 'image-tag': '2.0', 'image-digest': pushed.digest };
    const outcomes = [
      await ecrPush(detail, { account: '210987654321' }),
      await ecrPush(detail, { region: 'us-east-1' }),
      await ecrPush({ ...detail, 'repository-name': 'demo/web' }),
      await ecrPush({ 'repository-name': 'imagestreams/demo/web', 'image-digest': pushed.digest, 'image-tag': '' }),
    ];
    expect(outcomes.map((o) => o.integrated?.result)).toEqual([undefined, undefined, undefined, 'ignored']);
    expect((await ecr.call('GET', `${image}/demo/imagestreamtags/web:2.0`)).status).toBe(404);
  });
});

describe('status of the notifications route where there is no integrated registry', () => {
  it('answers 404 as for a refused secret', async () => {
    const off = await startApi();
    try {
      const answer = await off.call('POST', notifications, {
        token: null,
        raw: '{"events":[]}',
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(answer.status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
