import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create as createEcrPush } from '../../functions/ecr-push.ts';
import { create as createTagChanged } from '../../functions/tag-changed.ts';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { hookDelivery } from '../support/hook-fixture.ts';
import { pushImage } from '../support/push-image.ts';
import { freePort, type RunningRegistry, startRegistry } from '../support/registry.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const token = 'shared-push-token-0123456789abcdef';
const triggerSecret = 'trigger-secret-0123456789';
let api: ApiUnderTest;
let registry: RunningRegistry;
/** The same registry behind a counting proxy: recorded payloads name it, so requests caused by a delivery can be counted. */
let proxy: FaultProxy;
let sink: WebhookReceiver;
let registryHost: string;
let delivered = 0;
/** The service's clock runs ahead of the wall clock by this much: a test moves past the coalescing window without waiting. */
let clockAhead = 0;

const ns = (name: string) => `/apis/imagestreams.dev/v1/namespaces/${name}`;
const istag = (namespace: string, name: string) =>
  `/apis/image.openshift.io/v1/namespaces/${namespace}/imagestreamtags/${name}`;

async function secretAndReceiver(namespace: string, name: string, spec: Record<string, unknown>, value = token) {
  await api.call('PUT', `/api/v1/namespaces/${namespace}/secrets/${name}-hook`, {
    body: { metadata: { name: `${name}-hook` }, type: 'Opaque', stringData: { token: value } },
  });
  const created = await api.call('POST', `${ns(namespace)}/receivers`, {
    body: {
      apiVersion: 'imagestreams.dev/v1',
      kind: 'Receiver',
      metadata: { name },
      spec: { secretRef: { name: `${name}-hook` }, ...spec },
    },
  });
  expect(created.status, created.text).toBe(201);
  return created.json.status.webhookPath as string;
}

async function follow(namespace: string, stream: string, tag: string, from: string) {
  const response = await api.call('PUT', istag(namespace, `${stream}:${tag}`), {
    body: { tag: { name: tag, from: { kind: 'DockerImage', name: from }, importPolicy: { scheduled: true } } },
  });
  expect(response.status, response.text).toBeLessThan(300);
  return response.json.image?.metadata.name as string | undefined;
}

const imageOf = async (namespace: string, name: string) =>
  (await api.call('GET', istag(namespace, name))).json.image?.metadata.name as string | undefined;

const post = (path: string, delivery: { headers: Record<string, string>; body: string }) =>
  api.call('POST', path, { token: null, raw: delivery.body, headers: delivery.headers });

/** What the EventBridge rule does: hand new tag-change events to the trigger fan-out. */
async function deliverEvents(): Promise<void> {
  const handler = createTagChanged(api.deps);
  const events = api.bus.events.slice(delivered).filter((e) => e.DetailType === 'ImageStreamTag Changed');
  delivered = api.bus.events.length;
  for (const e of events)
    await handler({ source: e.Source, 'detail-type': e.DetailType, detail: JSON.parse(e.Detail) });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

beforeAll(async () => {
  const port = await freePort();
  registryHost = `127.0.0.1:${port}`;
  [proxy, sink] = await Promise.all([startFaultProxy(`http://${registryHost}`), startWebhookReceiver(triggerSecret)]);
  api = await startApi(
    {
      IMAGESTREAMS_INSECURE_REGISTRIES: `${registryHost},${proxy.host}`,
      IMAGESTREAMS_ALLOWED_PRIVATE_HOSTS: sink.host,
      IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
      IMAGESTREAMS_MAX_HOOK_BODY_BYTES: String(64 * 1024),
      // Longer than a burst takes on a loaded machine: a window that closed mid-burst would let a second import in.
      IMAGESTREAMS_PUSH_COALESCE_MS: '30000',
      // Only loopback registries: a tag following ECR fails its import before any connection (no network in tests).
      IMAGESTREAMS_ALLOWED_REGISTRIES: '127.0.0.1:*',
    },
    { now: () => new Date(Date.now() + clockAhead) },
  );
  // The registry is started with a notifications endpoint at the receiver's path, as the README shows.
  const path = await secretAndReceiver('push', 'local', { type: 'distribution' });
  registry = await startRegistry({ kind: 'none' }, { url: `${api.url}${path}`, bearer: token, ca: api.ca }, port);
});
afterAll(async () => {
  await api.close();
  await Promise.all([registry.stop(), proxy.stop(), sink.stop()]);
});

describe('a push to the CNCF registry', () => {
  it('moves the tag that follows the repository and fires its trigger, with cause push and the receiver', async () => {
    const first = await pushImage(registry, 'acme/web', 'v1');
    expect(await follow('push', 'web', 'v1', `${registryHost}/acme/web:v1`)).toBe(first.digest);
    const trigger = await api.call('POST', `${ns('push')}/imagetriggers`, {
      body: {
        metadata: { name: 'deploy' },
        spec: {
          from: { kind: 'ImageStreamTag', name: 'web:v1' },
          fireOnCreate: false,
          target: { webhook: { url: sink.url('/deploy'), secret: triggerSecret } },
        },
      },
    });
    expect(trigger.status).toBe(201);
    delivered = api.bus.events.length;

    const second = await pushImage(registry, 'acme/web', 'v1');
    expect(second.digest).not.toBe(first.digest);
    await until('the tag to move', async () =>
      (await imageOf('push', 'web:v1')) === second.digest ? true : undefined,
    );
    const change = api.bus
      .details('ImageStreamTag Changed')
      .find((d) => d.imageStream === 'web' && d.image === second.digest);
    expect(change).toMatchObject({ cause: 'push', actor: 'receiver:push/local', tag: 'v1' });

    await deliverEvents();
    const hook = sink.received.find((r) => r.path === '/deploy');
    expect(hook?.signed).toBe(true);
    expect(JSON.parse(hook?.body ?? '{}').data.image).toBe(second.digest);

    const status = (await api.call('GET', `${ns('push')}/receivers/local`)).json.status;
    expect(status.webhookPath).toMatch(/^\/hooks\/[0-9a-f]{64}$/);
    expect(status.lastDelivery.outcome).toMatch(/Imported|Ignored/);
  });
});

describe('recorded deliveries of each registry type', () => {
  const types: [string, Record<string, unknown>][] = [
    ['quay', { type: 'quay' }],
    ['harbor', { type: 'harbor' }],
    ['github', { type: 'github' }],
    ['gitlab', { type: 'gitlab' }],
    ['acr', { type: 'acr' }],
    ['distribution', { type: 'distribution' }],
    ['generic-hmac', { type: 'generic-hmac' }],
  ];
  it.each(types)('%s: a signed delivery re-imports the tag; a badly signed one is refused', async (type, spec) => {
    const namespace = `t-${type}`;
    const path = await secretAndReceiver(namespace, type, spec);
    const repo = `fixtures/${type}`;
    await pushImage(registry, repo, '1.4.2');
    const before = await follow(namespace, 'web', '1.4.2', `${proxy.host}/${repo}:1.4.2`);
    const pushed = await pushImage(registry, repo, '1.4.2');

    const values = { host: proxy.host, repo, tag: '1.4.2', digest: pushed.digest };
    const forged = hookDelivery(type, { ...values, token: 'not-the-shared-token-000000' });
    if (type !== 'quay') {
      const refused = await post(path, forged);
      expect(refused.status).toBe(404);
      expect(await imageOf(namespace, 'web:1.4.2')).toBe(before);
    }
    const accepted = await post(path, hookDelivery(type, { ...values, token }));
    expect(accepted.status, accepted.text).toBe(200);
    expect(await imageOf(namespace, 'web:1.4.2')).toBe(pushed.digest);
  });

  it('artifactory: the receiver names the host its payloads leave out', async () => {
    const path = await secretAndReceiver('t-artifactory', 'artifactory', { type: 'artifactory', registry: proxy.host });
    await pushImage(registry, 'fixtures/jfrog', '2');
    await follow('t-artifactory', 'web', '2', `${proxy.host}/fixtures/jfrog:2`);
    const pushed = await pushImage(registry, 'fixtures/jfrog', '2');
    const values = { host: proxy.host, repo: 'fixtures/jfrog', tag: '2', digest: pushed.digest };
    expect((await post(path, hookDelivery('artifactory', { ...values, token: 'wrong-token-0000000000' }))).status).toBe(
      404,
    );
    expect((await post(path, hookDelivery('artifactory', { ...values, token }))).status).toBe(200);
    expect(await imageOf('t-artifactory', 'web:2')).toBe(pushed.digest);
  });
});

describe('bad input', () => {
  let path: string;
  let digest: string;
  const repo = 'bad/web';
  const signed = (overrides: Partial<{ repo: string; host: string; digest: string }> = {}) =>
    hookDelivery('generic-hmac', { host: proxy.host, repo, tag: 'v1', digest, token, ...overrides });

  beforeAll(async () => {
    path = await secretAndReceiver('bad', 'hmac', { type: 'generic-hmac' });
    await pushImage(registry, repo, 'v1');
    digest = (await follow('bad', 'web', 'v1', `${proxy.host}/${repo}:v1`)) as string;
  });

  it('answers an unknown token, a bad signature and a suspended receiver alike, with nothing in the answer', async () => {
    const unknown = await post(`/hooks/${'0'.repeat(64)}`, signed());
    const badSignature = await post(path, {
      ...signed(),
      headers: { ...signed().headers, 'x-signature': `sha256=${'a'.repeat(64)}` },
    });
    const suspendedPath = await secretAndReceiver('bad', 'off', { type: 'generic-hmac', suspend: true });
    const suspended = await post(suspendedPath, signed());
    for (const response of [unknown, badSignature, suspended]) {
      expect(response.status).toBe(404);
      expect(response.json).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'not found' });
    }
    expect(badSignature.text).toBe(unknown.text);
    expect(await imageOf('bad', 'web:v1')).toBe(digest);
  });

  it('refuses malformed JSON, a payload of another type and an oversized body with a 4xx and no detail', async () => {
    proxy.clear();
    const raw = (body: string) => ({ headers: { ...signed().headers, 'x-signature': sign(body) }, body });
    const malformed = await post(path, raw('{"repository": '));
    const otherType = await post(
      path,
      raw(hookDelivery('harbor', { host: proxy.host, repo, tag: 'v1', digest, token }).body),
    );
    const oversized = await post(
      path,
      raw(JSON.stringify({ repository: `${proxy.host}/${repo}`, pad: 'x'.repeat(70_000) })),
    );
    expect(malformed.status).toBe(400);
    expect(otherType.status).toBe(400);
    expect(oversized.status).toBe(413);
    expect(malformed.json.message).toBe('the payload could not be read');
    expect(proxy.seen).toEqual([]);
  });

  it('imports nothing for a repository no tag follows, nor for private addresses in the payload', async () => {
    proxy.clear();
    for (const overrides of [{ repo: 'nobody/follows' }, { host: '10.0.0.1' }, { host: '169.254.169.254' }]) {
      const response = await post(path, signed(overrides));
      expect(response.status).toBe(200);
    }
    expect(proxy.seen).toEqual([]);
    const status = (await api.call('GET', `${ns('bad')}/receivers/hmac`)).json.status;
    expect(status.lastDelivery).toMatchObject({ outcome: 'NoMatch' });
  });

  it('changes nothing for a replayed delivery or one naming a digest the registry does not serve', async () => {
    const replay = signed();
    expect((await post(path, replay)).status).toBe(200);
    clockAhead += 31_000; // past the coalescing window
    const eventsBefore = api.bus.events.length;
    expect((await post(path, replay)).status).toBe(200);
    expect((await post(path, signed({ digest: `sha256:${'e'.repeat(64)}` }))).status).toBe(200);
    expect(await imageOf('bad', 'web:v1')).toBe(digest);
    expect(api.bus.events.length).toBe(eventsBefore);
  });
});

describe('coalescing and isolation', () => {
  it('joins 50 notifications of one push into one import', async () => {
    const path = await secretAndReceiver('burst', 'hmac', { type: 'generic-hmac' });
    await pushImage(registry, 'burst/web', 'v1');
    await follow('burst', 'web', 'v1', `${proxy.host}/burst/web:v1`);
    const pushed = await pushImage(registry, 'burst/web', 'v1');
    proxy.clear();
    const delivery = hookDelivery('generic-hmac', {
      host: proxy.host,
      repo: 'burst/web',
      tag: 'v1',
      digest: pushed.digest,
      token,
    });
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(path, delivery)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(await imageOf('burst', 'web:v1')).toBe(pushed.digest);
    // One import: the tag is asked for once; what follows is by digest.
    expect(proxy.seen.filter((s) => s.endsWith('/manifests/v1'))).toHaveLength(1);
  });

  it('moves a policy tag when a tag that wins its policy is pushed', async () => {
    const path = await secretAndReceiver('policy', 'hmac', { type: 'generic-hmac' });
    const first = await pushImage(registry, 'policy/web', '1.0.0');
    const put = await api.call('PUT', istag('policy', 'web:1'), {
      body: {
        metadata: { annotations: { 'imagestreams.dev/policy': 'semver: >=1.0.0 <2.0.0' } },
        tag: {
          name: '1',
          from: { kind: 'DockerImage', name: `${proxy.host}/policy/web` },
          importPolicy: { scheduled: true },
          annotations: { 'imagestreams.dev/policy': 'semver: >=1.0.0 <2.0.0' },
        },
      },
    });
    expect(put.status, put.text).toBeLessThan(300);
    expect(await imageOf('policy', 'web:1')).toBe(first.digest);
    const newer = await pushImage(registry, 'policy/web', '1.1.0');
    const response = await post(
      path,
      hookDelivery('generic-hmac', { host: proxy.host, repo: 'policy/web', tag: '1.1.0', digest: newer.digest, token }),
    );
    expect(response.status).toBe(200);
    expect(await imageOf('policy', 'web:1')).toBe(newer.digest);
  });

  it('asks again when the registry still serves the old digest for the tag a push named (it notifies first)', async () => {
    const path = await secretAndReceiver('settle', 'hmac', { type: 'generic-hmac' });
    await pushImage(registry, 'settle/web', 'v1');
    const before = (await follow('settle', 'web', 'v1', `${proxy.host}/settle/web:v1`)) as string;
    const pushed = await pushImage(registry, 'settle/web', 'v1');
    // The registry's first answer for the tag is the one from before the push, as the CNCF registry gives
    // between its notification and its moving the tag.
    proxy.clear();
    proxy.inject('HEAD', /\/settle\/web\/manifests\/v1$/, {
      kind: 'status',
      status: 200,
      headers: {
        'docker-content-digest': before,
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
      },
    });
    const response = await post(
      path,
      hookDelivery('generic-hmac', { host: proxy.host, repo: 'settle/web', tag: 'v1', digest: pushed.digest, token }),
    );
    expect(response.status).toBe(200);
    expect(proxy.seen.filter((s) => s.endsWith('/manifests/v1')).length).toBeGreaterThan(1);
    expect(await imageOf('settle', 'web:v1')).toBe(pushed.digest);
  });

  it('never moves a tag in another namespace', async () => {
    const pathA = await secretAndReceiver('iso-a', 'hmac', { type: 'generic-hmac' });
    await pushImage(registry, 'iso/web', 'v1');
    const inB = await follow('iso-b', 'web', 'v1', `${proxy.host}/iso/web:v1`);
    await pushImage(registry, 'iso/web', 'v1');
    proxy.clear();
    const response = await post(
      pathA,
      hookDelivery('generic-hmac', { host: proxy.host, repo: 'iso/web', tag: 'v1', digest: '', token }),
    );
    expect(response.status).toBe(200);
    expect(proxy.seen).toEqual([]);
    expect(await imageOf('iso-b', 'web:v1')).toBe(inB);
  });
});

describe('the Receiver kind', () => {
  const receivers = `${ns('kind')}/receivers`;
  const body = (name: string, spec: Record<string, unknown>) => ({ metadata: { name }, spec });

  it('refuses a receiver whose secret is missing, too short or not Opaque, and an Artifactory one without a host', async () => {
    await api.call('PUT', '/api/v1/namespaces/kind/secrets/short', {
      body: { metadata: { name: 'short' }, type: 'Opaque', stringData: { token: 'too-short' } },
    });
    await api.call('PUT', '/api/v1/namespaces/kind/secrets/pull', {
      body: {
        metadata: { name: 'pull' },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': '{"auths":{"quay.io":{"auth":"dTpw"}}}' },
      },
    });
    for (const [spec, field] of [
      [{ type: 'quay', secretRef: { name: 'ghost' } }, 'spec.secretRef.name'],
      [{ type: 'quay', secretRef: { name: 'short' } }, 'spec.secretRef.name'],
      [{ type: 'quay', secretRef: { name: 'pull' } }, 'spec.secretRef.name'],
      [{ type: 'nexus', secretRef: { name: 'short' } }, 'spec.type'],
      [{ type: 'artifactory', secretRef: { name: 'short' } }, 'spec.registry'],
      [{ type: 'quay', secretRef: { name: 'short' }, repositories: ['Not A Repo'] }, 'spec.repositories[0]'],
    ] as const) {
      const response = await api.call('POST', receivers, { body: body('bad', spec) });
      expect(response.status, JSON.stringify(spec)).toBe(422);
      expect(response.json.details.causes.map((c: { field: string }) => c.field)).toContain(field);
    }
    expect((await api.call('GET', receivers)).json.items).toEqual([]);
  });

  it('serves the receiver with its webhook path, never its token; a rotated secret takes effect when it is written again', async () => {
    const first = await secretAndReceiver('kind', 'hub', {
      type: 'dockerhub',
      repositories: ['acme/web', 'quay.io/acme/*'],
    });
    const got = await api.call('GET', `${receivers}/hub`);
    expect(got.json).toMatchObject({
      apiVersion: 'imagestreams.dev/v1',
      kind: 'Receiver',
      spec: {
        type: 'dockerhub',
        secretRef: { name: 'hub-hook' },
        repositories: ['docker.io/acme/web', 'quay.io/acme/*'],
      },
      status: { webhookPath: first },
    });
    expect(got.text).not.toContain(token);
    expect(
      (await api.call('GET', receivers)).json.items.map((r: { metadata: { name: string } }) => r.metadata.name),
    ).toEqual(['hub']);
    await api.call('PUT', '/api/v1/namespaces/kind/secrets/hub-hook', {
      body: { metadata: { name: 'hub-hook' }, type: 'Opaque', stringData: { token: 'rotated-token-0123456789abcdef' } },
    });
    const replaced = await api.call('PUT', `${receivers}/hub`, {
      body: { ...body('hub', { type: 'dockerhub', secretRef: { name: 'hub-hook' } }) },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json.status.webhookPath).not.toBe(first);
    expect(replaced.json.metadata.resourceVersion).toBe('2');
    expect((await post(first, { headers: {}, body: '{}' })).status).toBe(404);
    expect((await api.call('DELETE', `${receivers}/hub`)).status).toBe(200);
    expect((await api.call('GET', `${receivers}/hub`)).status).toBe(404);
  });
});

describe('ECR pushes (EventBridge, default bus)', () => {
  const event = JSON.parse(readFileSync(new URL('../fixtures/hooks/ecr-image-action.json', import.meta.url), 'utf8'));
  const ecr = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

  it('re-imports the tags of every namespace that follow the pushed ECR repository, and only those', async () => {
    await follow('ecr-a', 'web', 'v', `${ecr}/acme/web:1.4.2`);
    await follow('ecr-b', 'site', 'live', `${ecr}/acme/web:1.4.2`);
    await follow('ecr-c', 'web', 'v', `${ecr}/acme/other:1.4.2`);
    await follow('ecr-d', 'web', 'v', `210987654321.dkr.ecr.eu-west-1.amazonaws.com/acme/web:1.4.2`);
    await follow('ecr-e', 'web', 'v', `${ecr}/acme/web:1.4.1`);
    const before = api.bus.events.length;
    const outcome = await createEcrPush(api.deps)(event);
    expect(outcome).toEqual({ imported: 2, joined: 0, matched: 2 });
    // The imports ran (and failed, as ECR is not allowed here): one Import Failed event each, by `ecr`.
    const failed = api.bus.events
      .slice(before)
      .filter((e) => e.DetailType === 'ImageStreamTag Import Failed')
      .map((e) => JSON.parse(e.Detail));
    expect(failed.map((d) => `${d.namespace}/${d.imageStream}:${d.tag} ${d.actor}`).sort()).toEqual([
      'ecr-a/web:v ecr',
      'ecr-b/site:live ecr',
    ]);
  });

  it('ignores deletes and failed pushes', async () => {
    const handler = createEcrPush(api.deps);
    const deleted = { ...event, detail: { ...event.detail, 'action-type': 'DELETE' } };
    const failedPush = { ...event, detail: { ...event.detail, result: 'FAILURE' } };
    expect(await handler(deleted)).toEqual({ imported: 0, joined: 0, matched: 0 });
    expect(await handler(failedPush)).toEqual({ imported: 0, joined: 0, matched: 0 });
  });
});

function sign(body: string): string {
  return `sha256=${createHmac('sha256', token).update(body).digest('hex')}`;
}
