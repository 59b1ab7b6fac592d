import { createHash, randomBytes } from 'node:crypto';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmCipher } from '../../core/adapters/crypto/aes-gcm-cipher.ts';
import { type ApiUnderTest, startApi, tokens } from '../support/api-under-test.ts';
import { namespacedPath } from '../support/kube-paths.ts';

// PATCH as reference/kubernetes-api.md §5 describes it, and OpenAPI v3 as §2 does; every expected value is
// written out here.
const merge = { 'content-type': 'application/merge-patch+json' };
const jsonPatch = { 'content-type': 'application/json-patch+json' };
const strategic = { 'content-type': 'application/strategic-merge-patch+json' };
const key = randomBytes(32);

let api: ApiUnderTest;

beforeAll(async () => {
  api = await startApi({ IMAGESTREAMS_IMPORT_TIMEOUT_MS: '0', IMAGESTREAMS_CREDENTIALS_KEY: key.toString('base64') });
});
afterAll(async () => {
  await api.close();
});

const stream = (ns: string, name: string) => namespacedPath(ns, `imagestreams/${name}`);

async function createStream(ns: string, name: string) {
  const created = await api.call('POST', namespacedPath(ns, 'imagestreams'), {
    body: {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name, labels: { app: 'python' } },
      spec: {
        tags: [{ name: 'latest', from: { kind: 'DockerImage', name: 'quay.io/x/python:3.12' }, reference: true }],
      },
    },
  });
  expect(created.status).toBe(201);
  return created.json;
}

/** What the store holds, to show a refused patch wrote nothing. */
async function storedStream(ns: string, name: string) {
  return JSON.stringify(await api.stores.streams.getStream(ns, name));
}

describe('PATCH an ImageStream', () => {
  it('merges a merge patch into the stream and keeps what the patch does not name', async () => {
    await createStream('patching', 'merged');
    const patched = await api.call('PATCH', stream('patching', 'merged'), {
      body: { metadata: { labels: { team: 'a', app: null } } },
      headers: merge,
    });
    expect(patched.status).toBe(200);
    expect(patched.json.metadata.labels).toEqual({ team: 'a' });
    const read = await api.call('GET', stream('patching', 'merged'));
    expect(read.json.metadata.labels).toEqual({ team: 'a' });
    expect(read.json.spec.tags.map((t: { name: string }) => t.name)).toEqual(['latest']);
  });

  it('applies a JSON patch that adds a spec tag, as a PUT of the result would', async () => {
    await createStream('patching', 'json');
    const patched = await api.call('PATCH', stream('patching', 'json'), {
      body: [
        { op: 'test', path: '/spec/tags/0/name', value: 'latest' },
        {
          op: 'add',
          path: '/spec/tags/-',
          value: { name: 'stable', from: { kind: 'ImageStreamTag', name: 'json:latest' } },
        },
      ],
      headers: jsonPatch,
    });
    expect(patched.status).toBe(200);
    const read = await api.call('GET', stream('patching', 'json'));
    expect(read.json.spec.tags.map((t: { name: string }) => t.name)).toEqual(['latest', 'stable']);
    expect(read.json.metadata.generation).toBe(2);
  });

  it('accepts a merge patch that names the current resourceVersion', async () => {
    const created = await createStream('patching', 'current');
    const patched = await api.call('PATCH', stream('patching', 'current'), {
      body: { metadata: { resourceVersion: created.metadata.resourceVersion, annotations: { note: 'x' } } },
      headers: merge,
    });
    expect(patched.status).toBe(200);
    expect(patched.json.metadata.annotations).toEqual({ note: 'x' });
  });

  it('answers 409 to a merge patch with a stale resourceVersion, and writes nothing', async () => {
    const created = await createStream('patching', 'stale');
    const moved = await api.call('PATCH', stream('patching', 'stale'), {
      body: { metadata: { annotations: { first: 'yes' } } },
      headers: merge,
    });
    expect(moved.status).toBe(200);
    const before = await storedStream('patching', 'stale');
    const response = await api.call('PATCH', stream('patching', 'stale'), {
      body: { metadata: { resourceVersion: created.metadata.resourceVersion, annotations: { second: 'no' } } },
      headers: merge,
    });
    expect(response.status).toBe(409);
    expect(response.json).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message:
        'Operation cannot be fulfilled on imagestreams.image.openshift.io "stale": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect(await storedStream('patching', 'stale')).toBe(before);
  });

  it('re-applies a patch without a resourceVersion when other writes land in between: none is lost', async () => {
    await createStream('patching', 'crowded');
    const writers = Array.from({ length: 8 }, (_, i) => `writer-${i}`);
    const answers = await Promise.all(
      writers.map((writer) =>
        api.call('PATCH', stream('patching', 'crowded'), {
          body: { metadata: { labels: { [writer]: 'yes' } } },
          headers: merge,
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(writers.map(() => 200));
    const read = await api.call('GET', stream('patching', 'crowded'));
    expect(Object.keys(read.json.metadata.labels).sort()).toEqual(['app', ...writers].sort());
  });

  it.each([
    ['a JSON patch that is not a list', jsonPatch, '{"op":"add"}', 400, 'BadRequest', 'must be a JSON array'],
    ['a JSON patch with an unknown op', jsonPatch, '[{"op":"frobnicate","path":"/a"}]', 400, 'BadRequest', 'op'],
    [
      'a JSON patch whose test fails',
      jsonPatch,
      '[{"op":"test","path":"/spec/tags/0/name","value":"nope"},{"op":"remove","path":"/spec/tags/0"}]',
      422,
      'Invalid',
      'operation 0 (test /spec/tags/0/name)',
    ],
    ['a merge patch that is not JSON', merge, '{"metadata":', 400, 'BadRequest', 'not valid JSON'],
    ['a merge patch that is a list', merge, '[1]', 400, 'BadRequest', 'must be a JSON object'],
    [
      'a merge patch naming __proto__',
      merge,
      '{"metadata":{"labels":{"__proto__":{"polluted":"yes"}}}}',
      400,
      'BadRequest',
      'Forbidden key',
    ],
    [
      'a JSON patch naming __proto__',
      jsonPatch,
      '[{"op":"add","path":"/metadata/__proto__","value":{"polluted":"yes"}}]',
      400,
      'BadRequest',
      '__proto__',
    ],
    [
      'a merge patch that renames the stream',
      merge,
      '{"metadata":{"name":"other"}}',
      400,
      'BadRequest',
      'does not match the name on the URL',
    ],
    [
      'a JSON patch that moves it to another namespace',
      jsonPatch,
      '[{"op":"replace","path":"/metadata/namespace","value":"elsewhere"}]',
      400,
      'BadRequest',
      'namespace',
    ],
    ['a merge patch that changes its kind', merge, '{"kind":"ImageStreamTag"}', 400, 'BadRequest', 'kind'],
    [
      'a merge patch that breaks validation',
      merge,
      '{"spec":{"tags":[{"name":"bad tag","from":{"kind":"DockerImage","name":"x"}}]}}',
      422,
      'Invalid',
      'spec.tags',
    ],
  ])('refuses %s with a clear Status, and writes nothing', async (_what, headers, raw, code, reason, words) => {
    await createStream('refused', 'target').catch(() => undefined);
    const before = await storedStream('refused', 'target');
    const response = await api.call('PATCH', stream('refused', 'target'), { raw, headers });
    expect(response.status).toBe(code);
    expect(response.json).toMatchObject({ kind: 'Status', status: 'Failure', reason, code });
    expect(response.json.message).toContain(words);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await storedStream('refused', 'target')).toBe(before);
  });

  it.each([
    [
      'strategic merge patch (not served for the image kinds)',
      'application/strategic-merge-patch+json',
      'accepted media types include: application/json-patch+json, application/merge-patch+json',
    ],
    [
      'server-side apply',
      'application/apply-patch+yaml',
      'use client-side apply (kubectl apply without --server-side)',
    ],
    ['plain JSON', 'application/json', 'accepted media types include: application/json-patch+json'],
  ])('answers a %s with 415 naming what it accepts, and writes nothing', async (_what, type, words) => {
    await createStream('media', 'target').catch(() => undefined);
    const before = await storedStream('media', 'target');
    const response = await api.call('PATCH', stream('media', 'target'), {
      body: { metadata: { labels: { x: 'y' } } },
      headers: { 'content-type': type },
    });
    expect(response.status).toBe(415);
    expect(response.json).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
    expect(response.json.message).toContain(words);
    expect(await storedStream('media', 'target')).toBe(before);
  });

  it('answers 404 for a stream that does not exist, and creates nothing', async () => {
    const response = await api.call('PATCH', stream('missing', 'nothere'), {
      body: { metadata: { labels: { x: 'y' } } },
      headers: merge,
    });
    expect(response.status).toBe(404);
    expect(response.json.message).toBe('imagestreams.image.openshift.io "nothere" not found');
    expect(await api.stores.streams.getStream('missing', 'nothere')).toBeUndefined();
  });

  it('needs the update permission, as a PUT does', async () => {
    await createStream('guarded', 'target');
    const before = await storedStream('guarded', 'target');
    const response = await api.call('PATCH', stream('guarded', 'target'), {
      body: { metadata: { labels: { x: 'y' } } },
      headers: merge,
      token: tokens.none,
    });
    expect(response.status).toBe(403);
    expect(await storedStream('guarded', 'target')).toBe(before);
  });
});

describe('PATCH the other kinds', () => {
  it('patches an ImageStreamTag through oc tag’s path', async () => {
    await createStream('others', 'tagged');
    // An imported image, arranged in the store: an ImageStreamTag exists once its tag has one.
    const state = await api.stores.streams.getStream('others', 'tagged');
    const latest = state?.tags.find((t) => t.name === 'latest');
    if (!state || !latest) throw new Error('arranged stream missing');
    const digest = `sha256:${'a'.repeat(64)}`;
    await api.stores.streams.putTag(state.stream, {
      ...latest,
      items: [
        {
          created: '2026-01-01T00:00:00Z',
          dockerImageReference: `quay.io/x/python@${digest}`,
          image: digest,
          generation: 1,
        },
      ],
    });
    const response = await api.call('PATCH', namespacedPath('others', 'imagestreamtags/tagged:latest'), {
      body: { tag: { annotations: { note: 'patched' } } },
      headers: merge,
    });
    expect(response.status).toBe(200);
    const read = await api.call('GET', stream('others', 'tagged'));
    expect(read.json.spec.tags[0].annotations).toEqual({ note: 'patched' });
  });

  it('patches an ImageTrigger and keeps its write-only webhook secret', async () => {
    const created = await api.call('POST', namespacedPath('others', 'imagetriggers'), {
      body: {
        apiVersion: 'imagestreams.dev/v1',
        kind: 'ImageTrigger',
        metadata: { name: 'hook' },
        spec: {
          from: { kind: 'ImageStreamTag', name: 'tagged:latest' },
          fireOnCreate: false,
          target: { webhook: { url: 'https://ci.example.com/hook', secret: 'a-secret-of-16-chars' } },
        },
      },
    });
    expect(created.status).toBe(201);
    const response = await api.call('PATCH', namespacedPath('others', 'imagetriggers/hook'), {
      body: [{ op: 'replace', path: '/spec/paused', value: true }],
      headers: jsonPatch,
    });
    expect(response.status).toBe(200);
    expect(response.json.spec.paused).toBe(true);
    const stored = await api.stores.triggers.getTrigger('others', 'hook');
    expect(stored?.paused).toBe(true);
    expect(stored?.sealedSecret).toBeTruthy();
  });

  it('patches a RoleBinding with the strategic merge patch kubectl sends: subjects replace', async () => {
    const path = '/apis/rbac.authorization.k8s.io/v1/namespaces/others/rolebindings/devs';
    const created = await api.call('PUT', path, {
      body: {
        metadata: { name: 'devs' },
        roleRef: { kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'User', name: 'bob' }],
      },
    });
    expect(created.status).toBe(200);
    const response = await api.call('PATCH', `${path}?fieldManager=kubectl-patch`, {
      body: { subjects: [{ kind: 'Group', name: 'devs' }] },
      headers: strategic,
    });
    expect(response.status).toBe(200);
    const bindings = await api.stores.access.listRoleBindings('others');
    expect(bindings.find((b) => b.name === 'devs')).toMatchObject({
      role: 'view',
      subjects: [{ kind: 'Group', name: 'devs' }],
    });
    const stale = await api.call('PATCH', path, {
      body: { metadata: { resourceVersion: created.json.metadata.resourceVersion }, roleRef: { name: 'admin' } },
      headers: strategic,
    });
    expect(stale.status).toBe(409);
    expect((await api.stores.access.listRoleBindings('others')).find((b) => b.name === 'devs')?.role).toBe('view');
  });

  it('merges a Secret’s data keys with the stored ones on the server, and answers without data', async () => {
    const path = '/api/v1/namespaces/others/secrets/tokens';
    const created = await api.call('POST', '/api/v1/namespaces/others/secrets', {
      body: { metadata: { name: 'tokens' }, data: { k1: Buffer.from('one').toString('base64') } },
    });
    expect(created.status).toBe(201);
    const response = await api.call('PATCH', path, {
      body: { data: { k2: Buffer.from('two').toString('base64') }, stringData: { k3: 'three' } },
      headers: strategic,
    });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'tokens', namespace: 'others', creationTimestamp: expect.any(String) },
      type: 'Opaque',
    });
    const open = async () => {
      const sealed = (await api.stores.secrets.listSecrets('others')).find((s) => s.name === 'tokens')?.sealed ?? '';
      return JSON.parse(await new AesGcmCipher(key).open(sealed, 'others/tokens'));
    };
    expect(await open()).toEqual({
      k1: Buffer.from('one').toString('base64'),
      k2: Buffer.from('two').toString('base64'),
      k3: Buffer.from('three').toString('base64'),
    });
    const removed = await api.call('PATCH', path, { body: { data: { k1: null } }, headers: merge });
    expect(removed.status).toBe(200);
    expect(Object.keys(await open()).sort()).toEqual(['k2', 'k3']);
  });

  it('refuses a JSON patch that would read a Secret’s data (test, copy), and writes nothing', async () => {
    const path = '/api/v1/namespaces/others/secrets/guarded';
    await api.call('POST', '/api/v1/namespaces/others/secrets', {
      body: { metadata: { name: 'guarded' }, stringData: { password: 'hunter2' } },
    });
    const before = JSON.stringify(await api.stores.secrets.listSecrets('others'));
    for (const patch of [
      [{ op: 'test', path: '/data/password', value: Buffer.from('hunter2').toString('base64') }],
      [{ op: 'copy', from: '/data/password', path: '/metadata/labels' }],
      [{ op: 'test', path: '', value: {} }],
    ]) {
      const response = await api.call('PATCH', path, { body: patch, headers: jsonPatch });
      expect(response.status).toBe(422);
      expect(response.json.message).toContain('write-only');
      expect(response.text).not.toContain('hunter2');
    }
    expect(JSON.stringify(await api.stores.secrets.listSecrets('others'))).toBe(before);
  });

  it('refuses paths through constructor or prototype, which the patch library would skip (reaching /data)', async () => {
    const path = '/api/v1/namespaces/others/secrets/skipped';
    await api.call('POST', '/api/v1/namespaces/others/secrets', {
      body: { metadata: { name: 'skipped' }, stringData: { password: 'hunter2' } },
    });
    const before = JSON.stringify(await api.stores.secrets.listSecrets('others'));
    for (const patch of [
      [{ op: 'test', path: '/constructor/data/password', value: 'x' }],
      [{ op: 'copy', from: '/prototype/data/password', path: '/metadata/labels/x' }],
      [{ op: 'add', path: '/constructor/prototype/polluted', value: 'yes' }],
    ]) {
      const response = await api.call('PATCH', path, { body: patch, headers: jsonPatch });
      expect(response.status).toBe(400);
      expect(response.json.message).toContain('forbidden key');
      expect(response.text).not.toContain(Buffer.from('hunter2').toString('base64'));
    }
    expect(JSON.stringify(await api.stores.secrets.listSecrets('others'))).toBe(before);
  });

  it('answers 422, not 500, to an add below a string, and quotes no value (a Secret’s least of all)', async () => {
    const path = '/api/v1/namespaces/others/secrets/below';
    await api.call('POST', '/api/v1/namespaces/others/secrets', {
      body: { metadata: { name: 'below' }, stringData: { password: 'hunter2' } },
    });
    for (const target of [path, stream('patching', 'merged')]) {
      const under = target === path ? '/data/password/x' : '/metadata/name/x';
      const response = await api.call('PATCH', target, {
        body: [{ op: 'add', path: under, value: 'a' }],
        headers: jsonPatch,
      });
      expect(response.status).toBe(422);
      expect(response.text).not.toContain(Buffer.from('hunter2').toString('base64'));
    }
  });

  it('refuses to change a RoleBinding’s roleRef, as Kubernetes does, and changes nothing', async () => {
    const path = '/apis/rbac.authorization.k8s.io/v1/namespaces/others/rolebindings/fixed-role';
    const created = await api.call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/others/rolebindings', {
      body: {
        metadata: { name: 'fixed-role' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'User', name: 'carol' }],
      },
    });
    expect(created.status).toBe(201);
    const patched = await api.call('PATCH', path, { body: { roleRef: { name: 'admin' } }, headers: merge });
    expect(patched.status).toBe(422);
    expect(patched.json.details.causes).toEqual([expect.objectContaining({ field: 'roleRef' })]);
    expect((await api.call('GET', path)).json.roleRef.name).toBe('view');
    const subjects = await api.call('PATCH', path, {
      body: { subjects: [{ kind: 'User', name: 'dave' }] },
      headers: merge,
    });
    expect(subjects.status).toBe(200);
  });

  it('keeps a Secret’s creationTimestamp when it is patched or replaced', async () => {
    const path = '/api/v1/namespaces/others/secrets/aged';
    const created = await api.call('POST', '/api/v1/namespaces/others/secrets', {
      body: { metadata: { name: 'aged' }, stringData: { password: 'hunter2' } },
    });
    const first = created.json.metadata.creationTimestamp as string;
    // Timestamps have whole seconds: wait for the next one, so that a rewritten time would differ.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const patched = await api.call('PATCH', path, { body: { stringData: { other: 'x' } }, headers: merge });
    expect(patched.status).toBe(200);
    expect(patched.json.metadata.creationTimestamp).toBe(first);
    const replaced = await api.call('PUT', path, {
      body: { metadata: { name: 'aged' }, stringData: { password: 'new' } },
    });
    expect(replaced.json.metadata.creationTimestamp).toBe(first);
    expect((await api.call('GET', path)).json.metadata.creationTimestamp).toBe(first);
  });
});

describe('OpenAPI v3', () => {
  const groupVersions = [
    'api/v1',
    'apis/authorization.k8s.io/v1',
    'apis/image.openshift.io/v1',
    'apis/imagestreams.dev/v1',
    'apis/rbac.authorization.k8s.io/v1',
  ];

  it('indexes every group version with the hash of its document, which answers with that ETag', async () => {
    const index = await api.call('GET', '/openapi/v3?timeout=32s', { headers: { accept: 'application/json, */*' } });
    expect(index.status).toBe(200);
    expect(Object.keys(index.json.paths).sort()).toEqual(groupVersions);
    for (const key of groupVersions) {
      const url: string = index.json.paths[key].serverRelativeURL;
      expect(url.startsWith(`/openapi/v3/${key}?hash=`)).toBe(true);
      const document = await api.call('GET', url, { headers: { accept: 'application/json' } });
      expect(document.status).toBe(200);
      const hash = createHash('sha512').update(document.text).digest('hex').toUpperCase();
      expect(url).toBe(`/openapi/v3/${key}?hash=${hash}`);
      expect(document.headers.get('etag')).toBe(`"${hash}"`);
      expect(document.headers.get('cache-control')).toBe('public, immutable');
    }
  });

  it('answers a matching If-None-Match with 304, and an old hash with a redirect to the current document', async () => {
    const first = await api.call('GET', '/openapi/v3/apis/image.openshift.io/v1');
    const etag = first.headers.get('etag') ?? '';
    const again = await api.call('GET', '/openapi/v3/apis/image.openshift.io/v1', {
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    const old = await fetch(`${api.url}/openapi/v3/apis/image.openshift.io/v1?hash=0123`, {
      headers: { authorization: `Bearer ${tokens.alice}` },
      dispatcher: api.dispatcher,
      redirect: 'manual',
    });
    expect(old.status).toBe(301);
    expect(old.headers.get('location')).toBe(`/openapi/v3/apis/image.openshift.io/v1?hash=${etag.replaceAll('"', '')}`);
  });

  it('answers kubectl’s protobuf OpenAPI v2 request with a document of no definitions (client-side validation of Lists)', async () => {
    const response = await fetch(`${api.url}/openapi/v2?timeout=32s`, {
      headers: {
        authorization: `Bearer ${tokens.alice}`,
        accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
      },
      dispatcher: api.dispatcher,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    // openapi_v2.Document: field 1 (swagger), length 3, "2.0".
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([0x0a, 0x03, 0x32, 0x2e, 0x30]);
  });

  it('needs a token, as discovery does', async () => {
    expect((await api.call('GET', '/openapi/v3', { token: null })).status).toBe(401);
    expect((await api.call('GET', '/openapi/v3/api/v1', { token: null })).status).toBe(401);
  });

  it('offers merge and JSON patches for the image kinds, strategic merge too for Kubernetes’ own, with fieldValidation', async () => {
    const image = (await api.call('GET', '/openapi/v3/apis/image.openshift.io/v1')).json;
    const isPatch = image.paths['/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreams/{name}'].patch;
    expect(isPatch['x-kubernetes-group-version-kind']).toEqual({
      group: 'image.openshift.io',
      version: 'v1',
      kind: 'ImageStream',
    });
    expect(Object.keys(isPatch.requestBody.content).sort()).toEqual([
      'application/json-patch+json',
      'application/merge-patch+json',
    ]);
    expect(isPatch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
    const core = (await api.call('GET', '/openapi/v3/api/v1')).json;
    const secretPatch = core.paths['/api/v1/namespaces/{namespace}/secrets/{name}'].patch;
    expect(Object.keys(secretPatch.requestBody.content).sort()).toEqual([
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ]);
    const rbac = (await api.call('GET', '/openapi/v3/apis/rbac.authorization.k8s.io/v1')).json;
    expect(rbac.components.schemas['io.k8s.api.rbac.v1.RoleBinding']['x-kubernetes-group-version-kind']).toEqual([
      { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding' },
    ]);
    expect(Object.keys(rbac.components.schemas['io.k8s.api.rbac.v1.RoleBinding'].properties).sort()).toEqual([
      'apiVersion',
      'kind',
      'metadata',
      'roleRef',
      'subjects',
    ]);
  });
});
