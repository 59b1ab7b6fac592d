import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiHandler } from '../../functions/lib/api-handler.ts';
import { type ApiUnderTest, startApi, tokens } from '../support/api-under-test.ts';
import { type Kubectl, kubectlFor } from '../support/kubectl.ts';
import { pushImage } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';

// Watch as kubectl v1.32 uses it (reference/kubernetes-api.md §6): `get -w` lists, then watches from the list's
// resourceVersion; `wait` lists with resourceVersion=0 and watches with bookmarks and a timeoutSeconds.

const aTable =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const image = (ns: string) => `/apis/image.openshift.io/v1/namespaces/${ns}`;

let api: ApiUnderTest;
let registry: RunningRegistry;
let kubectl: Kubectl;

beforeAll(async () => {
  registry = await startRegistry();
  api = await startApi({
    IMAGESTREAMS_INSECURE_REGISTRIES: registry.host,
    IMAGESTREAMS_WATCH_POLL_MS: '100',
    // No watch in these tests may outlive them.
    IMAGESTREAMS_WATCH_TIMEOUT_SECONDS: '60',
    IMAGESTREAMS_WATCH_MAX_TIMEOUT_SECONDS: '60',
  });
  kubectl = await kubectlFor({ url: api.url, ca: api.ca, token: tokens.alice, namespace: 'default' });
});
afterAll(async () => {
  await kubectl.close();
  await api.close();
  await registry.stop();
});

const tag = (ns: string, istag: string, from: string, extra: Record<string, unknown> = {}) =>
  api.call('PUT', `${image(ns)}/imagestreamtags/${istag}`, {
    body: { tag: { name: istag.split(':')[1], from: { kind: 'DockerImage', name: from }, ...extra } },
  });

/** Reads a watch response to its end (the server ends it), as WatchEvents. */
async function watchEvents(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(api.url + path, {
    headers: { authorization: `Bearer ${tokens.alice}`, ...headers },
    dispatcher: api.dispatcher,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    events: text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
  };
}

describe('kubectl get -w', () => {
  it('prints a tag change made while it watches', async () => {
    const v1 = await pushImage(registry, 'watch/app', 'v1');
    expect((await tag('w1', 'app:v1', `${registry.host}/watch/app:v1`)).status).toBe(200);
    const watching = kubectl.start(['get', 'istag', '-n', 'w1', '-w']);
    try {
      await watching.output((out) => out.includes('app:v1'));
      await pushImage(registry, 'watch/app', 'v2');
      expect((await tag('w1', 'app:v2', `${registry.host}/watch/app:v2`)).status).toBe(200);
      // The whole row: kubectl's output may arrive in pieces.
      const out = await watching.output((text) => /^app:v2[^\n]*\n/m.test(text));
      const lines = out.trim().split('\n');
      // The list once (header and app:v1), then only what changed: no second app:v1 row.
      expect(lines.filter((line) => line.startsWith('app:v1'))).toHaveLength(1);
      expect(lines.at(-1)).toMatch(new RegExp(`^app:v2\\s+${registry.host}/watch/app@sha256:`));
      expect(v1.digest).toMatch(/^sha256:/);
    } finally {
      watching.kill();
    }
    const { code } = await watching.exited;
    expect(code).not.toBe(0); // killed
    // The server lets go of the watch once kubectl is gone.
    await vi.waitFor(() => expect(api.watches.active).toBe(0), { timeout: 10_000, interval: 50 });
  });
});

describe('kubectl wait --for=jsonpath', () => {
  it('returns 0 once an import moves the tag to the awaited image', async () => {
    await pushImage(registry, 'watch/x', 'latest');
    expect((await tag('w2', 'x:latest', `${registry.host}/watch/x:latest`)).status).toBe(200);
    const next = await pushImage(registry, 'watch/x', 'latest', { labels: { build: '2' } });
    const waiting = kubectl.start([
      'wait',
      '-n',
      'w2',
      `--for=jsonpath={.status.tags[0].items[0].image}=${next.digest}`,
      'is/x',
      '--timeout=20s',
    ]);
    // Once the watch is open, import as oc import-image does.
    await vi.waitFor(() => expect(api.watches.active).toBe(1), { timeout: 10_000, interval: 20 });
    const imported = await api.call('POST', `${image('w2')}/imagestreamimports`, {
      body: {
        kind: 'ImageStreamImport',
        apiVersion: 'image.openshift.io/v1',
        metadata: { name: 'x' },
        spec: {
          import: true,
          images: [{ from: { kind: 'DockerImage', name: `${registry.host}/watch/x:latest` }, to: { name: 'latest' } }],
        },
      },
    });
    expect(imported.status).toBe(201);
    const result = await waiting.exited;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('imagestream.image.openshift.io/x condition met');
  });
});

describe('watch semantics', () => {
  beforeAll(async () => {
    await pushImage(registry, 'watch/s', 'v1');
    expect((await tag('w3', 's:v1', `${registry.host}/watch/s:v1`)).status).toBe(200);
  });

  it('sends the current objects as ADDED without a resourceVersion, and ends at timeoutSeconds', async () => {
    const watch = await watchEvents(`${image('w3')}/imagestreams?watch=true&timeoutSeconds=1`);
    expect(watch.status).toBe(200);
    expect(watch.headers.get('content-type')).toBe('application/json');
    expect(watch.events.map((e) => [e.type, e.object.kind, e.object.metadata.name])).toEqual([
      ['ADDED', 'ImageStream', 's'],
    ]);
  });

  it('sends nothing from the list’s resourceVersion while nothing changes, then a bookmark to resume from', async () => {
    const list = await api.call('GET', `${image('w3')}/imagestreamtags`);
    const version = list.json.metadata.resourceVersion;
    expect(version).toEqual(expect.any(String));
    const watch = await watchEvents(
      `${image('w3')}/imagestreamtags?watch=1&resourceVersion=${version}&allowWatchBookmarks=true&timeoutSeconds=1`,
    );
    expect(watch.events).toEqual([
      {
        type: 'BOOKMARK',
        object: { apiVersion: 'image.openshift.io/v1', kind: 'ImageStreamTag', metadata: { resourceVersion: version } },
      },
    ]);
  });

  it('answers a resourceVersion it cannot resume from with one 410 Expired ERROR event', async () => {
    const list = await api.call('GET', `${image('w3')}/imagestreamtags`);
    await pushImage(registry, 'watch/s', 'v2');
    expect((await tag('w3', 's:v2', `${registry.host}/watch/s:v2`)).status).toBe(200);
    const watch = await watchEvents(
      `${image('w3')}/imagestreamtags?watch=true&resourceVersion=${list.json.metadata.resourceVersion}`,
    );
    expect(watch.events).toHaveLength(1);
    expect(watch.events[0]).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 },
    });
  });

  it('filters by fieldSelector and answers Tables when kubectl asks for them', async () => {
    const watch = await watchEvents(
      `${image('w3')}/imagestreamtags?watch=true&fieldSelector=metadata.name%3Ds%3Av2&timeoutSeconds=1`,
      { accept: aTable },
    );
    expect(watch.events).toHaveLength(1);
    const [event] = watch.events;
    expect(event.type).toBe('ADDED');
    expect(event.object.kind).toBe('Table');
    expect(event.object.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Image Reference',
      'Updated',
      'Image Name',
    ]);
    expect(event.object.rows[0].cells[0]).toBe('s:v2');
  });

  it('refuses a bad timeoutSeconds or selector with a 400 Status before streaming', async () => {
    const bad = await api.call('GET', `${image('w3')}/imagestreams?watch=true&timeoutSeconds=soon`);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    const selector = await api.call('GET', `${image('w3')}/imagestreams?watch=true&fieldSelector=spec.x%3Dy`);
    expect(selector.status).toBe(400);
  });

  it('lets go of a watch whose client disconnects', async () => {
    const controller = new AbortController();
    const response = await fetch(`${api.url}${image('w3')}/imagestreams?watch=true`, {
      headers: { authorization: `Bearer ${tokens.alice}` },
      dispatcher: api.dispatcher,
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toContain('"ADDED"');
    expect(api.watches.active).toBe(1);
    controller.abort();
    await vi.waitFor(() => expect(api.watches.active).toBe(0), { timeout: 10_000, interval: 20 });
  });
});

describe('where watch is not served', () => {
  it('answers a watch of a kind without the watch verb with a 405 Status', async () => {
    for (const path of [
      '/api/v1/namespaces/w3/secrets?watch=true',
      '/apis/rbac.authorization.k8s.io/v1/namespaces/w3/rolebindings?watch=true',
      `${image('w3')}/imagestreams/s?watch=true`,
    ]) {
      const response = await api.call('GET', path);
      expect(response.status, path).toBe(405);
      expect(response.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'MethodNotAllowed', code: 405 });
    }
    const secrets = await api.call('GET', '/api/v1/namespaces/w3/secrets?watch=true');
    expect(secrets.json.message).toBe('secrets cannot be watched: the kind has no watch verb');
  });

  it('answers 405 behind API Gateway, which cannot stream, saying where watch works', async () => {
    const event = JSON.parse(
      readFileSync(new URL('../fixtures/events/apigw-v2-jwt.json', import.meta.url), 'utf8'),
    ) as APIGatewayProxyEventV2;
    event.rawPath = event.requestContext.http.path = `${image('w3')}/imagestreams`;
    event.rawQueryString = 'watch=true';
    event.queryStringParameters = { watch: 'true' };
    (event.requestContext as unknown as { authorizer: unknown }).authorizer = {
      lambda: { user: 'alice', groups: ['system:admins'] },
    };
    const lambda = createApiHandler(api.deps);
    const response = await lambda(event, { awsRequestId: 'watch' } as Context);
    expect(response.statusCode).toBe(405);
    const status = JSON.parse(response.body ?? '{}');
    expect(status).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed', code: 405 });
    expect(status.message).toContain('local mode');
    expect(status.message).toContain('kubectl wait');
  });

  it('agrees with kubectl auth can-i and discovery: the image kinds and triggers can be watched', async () => {
    const canI = await kubectl.run(['auth', 'can-i', 'watch', 'imagestreamtags', '-n', 'w3']);
    expect(canI.stdout.trim()).toBe('yes');
    const secrets = await kubectl.run(['auth', 'can-i', 'watch', 'secrets', '-n', 'w3']);
    expect(secrets.stdout.trim()).toBe('no - secrets do not support the verb "watch"');
    const resources = (await api.call('GET', '/apis/image.openshift.io/v1')).json.resources;
    const verbsOf = (name: string) => resources.find((r: { name: string }) => r.name === name).verbs;
    expect(verbsOf('imagestreams')).toContain('watch');
    expect(verbsOf('imagestreamtags')).toContain('watch');
    expect(verbsOf('imagestreamimages')).not.toContain('watch');
  });

  it('answers kubectl auth can-i for the registry (imagestreams/layers), and refuses --as rather than answer for the caller', async () => {
    const pull = await kubectl.run(['auth', 'can-i', 'get', 'imagestreams', '--subresource=layers', '-n', 'w3']);
    expect(pull.stdout.trim()).toBe('yes');
    const other = await kubectl.run(['auth', 'can-i', 'delete', 'imagestreams', '--subresource=layers', '-n', 'w3']);
    expect(other.stdout.trim()).toBe('no - imagestreams/layers do not support the verb "delete"');
    const impersonating = await kubectl.run(['auth', 'can-i', 'get', 'imagestreams', '-n', 'w3', '--as=bob']);
    expect(impersonating.code).not.toBe(0);
    expect(impersonating.stderr).toContain('impersonation (kubectl --as, --as-group) is not supported by this server');
    const listing = await kubectl.run(['get', 'imagestreams', '-n', 'w3', '--as=bob', '--as-group=admins']);
    expect(listing.code).not.toBe(0);
    expect(listing.stderr).toContain('Forbidden');
  });
});
