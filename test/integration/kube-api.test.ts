import { randomBytes } from 'node:crypto';
import protobuf from 'protobufjs';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi, tokens } from '../support/api-under-test.ts';

// What kubectl v1.32 sends and expects, from reference/kubernetes-api.md §1 (discovery), §11 (Status) and
// §12 (request sequences). The expected documents are written out here, not derived from the resource table.
const aDisc =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const aTable =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const aPb = 'application/vnd.kubernetes.protobuf,application/json';
const streams = '/apis/image.openshift.io/v1/namespaces/demo/imagestreams';

let api: ApiUnderTest;

beforeAll(async () => {
  api = await startApi({
    IMAGESTREAMS_IMPORT_TIMEOUT_MS: '0',
    IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
  });
});
afterAll(async () => {
  await api.close();
});

const imageResources = [
  {
    name: 'imagestreams',
    singularName: 'imagestream',
    namespaced: true,
    kind: 'ImageStream',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['is'],
    categories: ['all'],
  },
  { name: 'imagestreams/describe', singularName: '', namespaced: true, kind: 'ImageStream', verbs: ['get'] },
  {
    name: 'imagestreamtags',
    singularName: 'imagestreamtag',
    namespaced: true,
    kind: 'ImageStreamTag',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['istag'],
  },
  { name: 'imagestreamtags/describe', singularName: '', namespaced: true, kind: 'ImageStreamTag', verbs: ['get'] },
  {
    name: 'imagestreamimages',
    singularName: 'imagestreamimage',
    namespaced: true,
    kind: 'ImageStreamImage',
    verbs: ['get'],
    shortNames: ['isimage'],
  },
  {
    name: 'imagestreamimports',
    singularName: 'imagestreamimport',
    namespaced: true,
    kind: 'ImageStreamImport',
    verbs: ['create'],
    shortNames: ['isi'],
  },
];

describe('discovery', () => {
  it('answers /api with APIVersions when asked for plain JSON', async () => {
    const response = await api.call('GET', '/api?timeout=32s', { headers: { accept: 'application/json, */*' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.json).toEqual({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
  });

  it('answers /apis with an APIGroupList naming every group once, v1 preferred', async () => {
    const response = await api.call('GET', '/apis', { headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    expect(response.json.kind).toBe('APIGroupList');
    expect(response.json.apiVersion).toBe('v1');
    const group = (name: string) => ({
      name,
      versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
      preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
    });
    expect(response.json.groups).toEqual([
      group('image.openshift.io'),
      group('imagestreams.dev'),
      group('rbac.authorization.k8s.io'),
      group('authorization.k8s.io'),
    ]);
  });

  it('answers kubectl’s Accept on /apis with aggregated discovery v2, in the Content-Type client-go checks', async () => {
    const response = await api.call('GET', '/apis?timeout=32s', { headers: { accept: aDisc } });
    expect(response.status).toBe(200);
    // client-go reads the body as aggregated only when these parameters are on the Content-Type.
    const params = new Set(
      (response.headers.get('content-type') ?? '')
        .split(';')
        .slice(1)
        .map((p) => p.trim()),
    );
    expect(response.headers.get('content-type')?.split(';')[0]).toBe('application/json');
    expect(params).toEqual(new Set(['g=apidiscovery.k8s.io', 'v=v2', 'as=APIGroupDiscoveryList']));
    const body = response.json;
    expect(body).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2' });
    expect(body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual([
      'image.openshift.io',
      'imagestreams.dev',
      'rbac.authorization.k8s.io',
      'authorization.k8s.io',
    ]);
    const image = body.items[0];
    expect(image.versions).toHaveLength(1);
    expect(image.versions[0]).toMatchObject({ version: 'v1', freshness: 'Current' });
    const byName = Object.fromEntries(
      image.versions[0].resources.map((r: { resource: string }) => [r.resource, r]),
    ) as Record<string, Record<string, unknown>>;
    expect(byName.imagestreams).toEqual({
      resource: 'imagestreams',
      responseKind: { group: 'image.openshift.io', version: 'v1', kind: 'ImageStream' },
      scope: 'Namespaced',
      singularResource: 'imagestream',
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['is'],
      categories: ['all'],
      subresources: [
        {
          subresource: 'describe',
          responseKind: { group: 'image.openshift.io', version: 'v1', kind: 'ImageStream' },
          verbs: ['get'],
        },
      ],
    });
    expect(byName.imagestreamtags).toMatchObject({ shortNames: ['istag'], singularResource: 'imagestreamtag' });
    expect(byName.imagestreamimages).toMatchObject({ shortNames: ['isimage'], verbs: ['get'] });
    expect(byName.imagestreamimports).toMatchObject({ shortNames: ['isi'], verbs: ['create'] });
    const rbac = body.items[2].versions[0].resources;
    expect(rbac).toEqual([
      {
        resource: 'rolebindings',
        responseKind: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding' },
        scope: 'Namespaced',
        singularResource: 'rolebinding',
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
      },
    ]);
    expect(body.items[3].versions[0].resources).toEqual([
      {
        resource: 'selfsubjectaccessreviews',
        responseKind: { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview' },
        scope: 'Cluster',
        singularResource: 'selfsubjectaccessreview',
        verbs: ['create'],
      },
    ]);
  });

  it('answers /api with aggregated discovery holding only the core group (empty name)', async () => {
    const response = await api.call('GET', '/api', { headers: { accept: aDisc } });
    expect(response.json.items).toHaveLength(1);
    expect(response.json.items[0].metadata).toEqual({ name: '' });
    const resources = response.json.items[0].versions[0].resources;
    expect(resources.map((r: { resource: string; scope: string }) => `${r.resource} ${r.scope}`)).toEqual([
      'namespaces Cluster',
      'secrets Namespaced',
    ]);
    expect(resources[0]).toMatchObject({
      responseKind: { group: '', version: 'v1', kind: 'Namespace' },
      shortNames: ['ns'],
    });
  });

  it('serves v2beta1 to a client that only asks for it', async () => {
    const response = await api.call('GET', '/apis', {
      headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList' },
    });
    expect(response.headers.get('content-type')).toContain('v=v2beta1');
    expect(response.json.apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
  });

  it('answers /apis/image.openshift.io/v1 with an APIResourceList (what auth can-i and legacy clients read)', async () => {
    const response = await api.call('GET', '/apis/image.openshift.io/v1?timeout=32s', {
      headers: { accept: 'application/json, */*' },
    });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'image.openshift.io/v1',
      resources: imageResources,
    });
  });

  it('answers /api/v1 with the core kinds, namespaces cluster-scoped', async () => {
    const response = await api.call('GET', '/api/v1');
    expect(response.json).toEqual({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'v1',
      resources: [
        {
          name: 'namespaces',
          singularName: 'namespace',
          namespaced: false,
          kind: 'Namespace',
          verbs: ['create', 'get', 'list'],
          shortNames: ['ns'],
        },
        {
          name: 'secrets',
          singularName: 'secret',
          namespaced: true,
          kind: 'Secret',
          verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
        },
      ],
    });
  });

  it('answers /version with a Kubernetes minor the kubectl dispatcher can pick by', async () => {
    const response = await api.call('GET', '/version?timeout=5s');
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ major: '1', minor: '32' });
    for (const field of ['gitVersion', 'gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform'])
      expect(typeof response.json[field], field).toBe('string');
    expect(response.json.gitVersion).toMatch(/^v1\.32\./);
  });

  it.each([
    ['/api', aDisc],
    ['/apis', aDisc],
    ['/apis', 'application/json'],
    ['/apis/imagestreams.dev/v1', 'application/json'],
    ['/version', 'application/json'],
  ])('revalidates %s (%s) with its ETag: 304 without a body', async (path, accept) => {
    const first = await api.call('GET', path, { headers: { accept } });
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    expect(first.headers.get('vary')).toBe('Accept');
    const again = await api.call('GET', path, { headers: { accept, 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    const stale = await api.call('GET', path, { headers: { accept, 'if-none-match': '"stale"' } });
    expect(stale.status).toBe(200);
    expect(stale.text).toBe(first.text);
  });

  it('gives the aggregated and the legacy /apis different ETags', async () => {
    const aggregated = await api.call('GET', '/apis', { headers: { accept: aDisc } });
    const legacy = await api.call('GET', '/apis', { headers: { accept: 'application/json' } });
    expect(aggregated.headers.get('etag')).not.toBe(legacy.headers.get('etag'));
  });

  it('needs a token, as kubectl sends one', async () => {
    for (const path of ['/api', '/apis', '/apis/image.openshift.io/v1', '/version']) {
      const response = await api.call('GET', path, { token: null });
      expect(response.status, path).toBe(401);
      expect(response.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
  });

  it('answers /healthz to anyone', async () => {
    const response = await api.call('GET', '/healthz', { token: null });
    expect(response.status).toBe(200);
    expect(response.text).toBe('ok');
  });
});

describe('the edge', () => {
  it('authenticates before it looks at the Content-Type', async () => {
    const response = await api.call('POST', streams, {
      token: null,
      raw: 'name: x',
      headers: { 'content-type': 'application/yaml' },
    });
    expect(response.status).toBe(401);
    expect(response.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
  });

  it('authenticates before it measures or parses the body', async () => {
    const twoMegabytes = JSON.stringify({ metadata: { name: 'big', annotations: { a: 'x'.repeat(2 * 1024 * 1024) } } });
    const anonymous = await api.call('POST', streams, {
      token: null,
      raw: twoMegabytes,
      headers: { 'content-type': 'application/json' },
    });
    expect(anonymous.status).toBe(401);
    const badJson = await api.call('POST', streams, {
      token: 'not-a-token-at-all-0000',
      raw: '{"metadata":',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(401);
    const known = await api.call('POST', streams, {
      raw: twoMegabytes,
      headers: { 'content-type': 'application/json' },
    });
    expect(known.status).toBe(413);
    expect(known.json.reason).toBe('RequestEntityTooLarge');
  });

  it('authenticates before it says whether a path exists', async () => {
    expect((await api.call('GET', '/apis/nothing.example.com/v1/things', { token: null })).status).toBe(401);
    expect((await api.call('PATCH', '/api/v1/namespaces', { token: null })).status).toBe(401);
  });

  it('answers an unknown method on a known path with 405, an Allow header and a Status', async () => {
    const response = await api.call('POST', `${streams}/python`, { body: {} });
    expect(response.status).toBe(405);
    expect(
      response.headers
        .get('allow')
        ?.split(',')
        .map((m) => m.trim())
        .sort(),
    ).toEqual(['DELETE', 'GET', 'PATCH', 'PUT']);
    expect(response.json).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'MethodNotAllowed',
      code: 405,
    });
    expect(response.json.message).toBe('POST is not supported on resources of kind "imagestreams.image.openshift.io"');
    const collection = await api.call('DELETE', '/apis/image.openshift.io/v1/namespaces/demo/imagestreamimports');
    expect(collection.status).toBe(405);
    expect(collection.headers.get('allow')).toBe('POST');
  });

  it('answers an unknown path with a 404 Status', async () => {
    for (const path of ['/v1/namespaces/demo/imagestreams', '/apis/image.openshift.io/v2', '/api/v1/pods', '/']) {
      const response = await api.call('GET', path);
      expect(response.status, path).toBe(404);
      expect(response.json, path).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
    }
  });

  it('says that cluster-wide lists (kubectl -A) are not served', async () => {
    const response = await api.call('GET', '/apis/image.openshift.io/v1/imagestreams?limit=500');
    expect(response.status).toBe(404);
    expect(response.json.message).toBe(
      'listing imagestreams.image.openshift.io across all namespaces is not supported: name a namespace (-n)',
    );
  });

  it('serves kubectl’s protobuf and plain Accept headers as JSON, its table Accept as a Table', async () => {
    const table = await api.call('GET', streams, { headers: { accept: aTable } });
    expect(table.status).toBe(200);
    expect(table.json.kind).toBe('Table');
    for (const accept of [aPb, 'application/json, */*', '*/*']) {
      const response = await api.call('GET', streams, { headers: { accept } });
      expect(response.status, accept).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.json.kind).toBe('ImageStreamList');
    }
  });

  it('answers 406 to an Accept it cannot serve', async () => {
    for (const accept of ['application/yaml', 'application/vnd.kubernetes.protobuf', 'text/plain']) {
      const response = await api.call('GET', streams, { headers: { accept } });
      expect(response.status, accept).toBe(406);
      expect(response.json).toMatchObject({ kind: 'Status', reason: 'NotAcceptable', code: 406 });
    }
    const describe = await api.call('GET', `${streams}/python/describe`, { headers: { accept: 'application/json' } });
    expect(describe.status).toBe(406);
    const discovery = await api.call('GET', '/apis', { headers: { accept: 'application/yaml' } });
    expect(discovery.status).toBe(406);
  });

  it('answers 415 naming the accepted media types, and writes nothing', async () => {
    for (const type of ['application/yaml', 'text/plain', 'application/cbor']) {
      const response = await api.call('POST', streams, {
        raw: JSON.stringify({ metadata: { name: 'typed' } }),
        headers: { 'content-type': type },
      });
      expect(response.status, type).toBe(415);
      expect(response.json).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
      expect(response.json.message).toBe(
        'the body of the request was in an unknown format - accepted media types include: application/json, application/vnd.kubernetes.protobuf',
      );
    }
    expect((await api.call('GET', `${streams}/typed`)).status).toBe(404);
  });

  it('reads a body without a Content-Type as JSON, as kube-apiserver does', async () => {
    const response = await api.call('POST', '/apis/image.openshift.io/v1/namespaces/untyped/imagestreams', {
      raw: JSON.stringify({ metadata: { name: 'plain' } }),
      headers: { 'content-type': '' },
    });
    expect(response.status).toBe(201);
  });

  it('qualifies a kind by its group in NotFound messages, as kubectl prints them', async () => {
    const response = await api.call('GET', `${streams}/nothere`);
    expect(response.status).toBe(404);
    expect(response.json.message).toBe('imagestreams.image.openshift.io "nothere" not found');
    expect(response.json.details).toMatchObject({ name: 'nothere', group: 'image.openshift.io', kind: 'imagestreams' });
  });
});

describe('Kubernetes kinds', () => {
  it('reads a namespace that holds streams but was never created (kubectl asks after a 404)', async () => {
    const put = await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/implicit/imagestreamtags/app:v1', {
      body: { tag: { name: 'v1', reference: true, from: { kind: 'DockerImage', name: 'quay.io/a/app:v1' } } },
    });
    expect(put.status).toBe(200);
    const response = await api.call('GET', '/api/v1/namespaces/implicit', { headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'implicit' },
      status: { phase: 'Active' },
    });
    const empty = await api.call('GET', '/api/v1/namespaces/never-used');
    expect(empty.status).toBe(404);
    expect(empty.json.message).toBe('namespaces "never-used" not found');
  });

  it('creates a namespace from kubectl’s JSON and answers it with phase Active', async () => {
    const created = await api.call('POST', '/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict', {
      body: { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'made', creationTimestamp: null } },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ apiVersion: 'v1', kind: 'Namespace', status: { phase: 'Active' } });
    const read = await api.call('GET', '/api/v1/namespaces/made');
    expect(read.json.metadata).toMatchObject({ name: 'made', uid: expect.any(String) });
  });

  it('stores a docker-registry secret as kubectl builds it, and never answers its data', async () => {
    const config = JSON.stringify({ auths: { 'quay.io': { username: 'u1', password: 'p1', auth: 'dTE6cDE=' } } });
    const body = {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 'reg', namespace: 'kinds', creationTimestamp: null },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(config).toString('base64') },
    };
    const created = await api.call('POST', '/api/v1/namespaces/kinds/secrets?fieldManager=kubectl-create', { body });
    expect(created.status).toBe(201);
    const read = await api.call('GET', '/api/v1/namespaces/kinds/secrets/reg');
    expect(read.json).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'reg',
        namespace: 'kinds',
        creationTimestamp: expect.any(String),
        annotations: { 'imagestreams.dev/registries': 'quay.io' },
      },
      type: 'kubernetes.io/dockerconfigjson',
    });
    expect(read.text).not.toContain('p1');
  });

  it('stores a generic secret (no type: Opaque) from data and stringData, and never answers them', async () => {
    const created = await api.call('POST', '/api/v1/namespaces/kinds/secrets', {
      body: {
        kind: 'Secret',
        apiVersion: 'v1',
        metadata: { name: 'gen' },
        data: { k1: Buffer.from('value-one').toString('base64') },
        stringData: { k2: 'value-two' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'gen', namespace: 'kinds', creationTimestamp: expect.any(String) },
      type: 'Opaque',
    });
    const list = await api.call('GET', '/api/v1/namespaces/kinds/secrets');
    expect(list.json.kind).toBe('SecretList');
    expect(list.text).not.toContain('value-two');
    expect(list.text).not.toContain(Buffer.from('value-one').toString('base64'));
    const stored = JSON.stringify(await api.stores.secrets.listSecrets('kinds'));
    expect(stored).not.toContain('value-two');
  });

  it('stores a role binding as kubectl create rolebinding builds it, and answers it in rbac/v1', async () => {
    const created = await api.call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/kinds/rolebindings', {
      body: {
        kind: 'RoleBinding',
        apiVersion: 'rbac.authorization.k8s.io/v1',
        metadata: { name: 'rb', namespace: 'kinds', creationTimestamp: null },
        subjects: [
          { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
          { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' },
        ],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      },
    });
    expect(created.status).toBe(201);
    const read = await api.call('GET', '/apis/rbac.authorization.k8s.io/v1/namespaces/kinds/rolebindings/rb');
    expect(read.json).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: 'rb',
        namespace: 'kinds',
        uid: expect.any(String),
        resourceVersion: expect.any(String),
        creationTimestamp: expect.any(String),
      },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
        { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' },
      ],
    });
  });

  it.each([
    [
      'a Role (not a ClusterRole)',
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'edit' },
      [],
      'roleRef.kind',
    ],
    ['an unknown role', { kind: 'ClusterRole', name: 'cluster-admin' }, [], 'roleRef.name'],
    [
      'a service account subject',
      { kind: 'ClusterRole', name: 'view' },
      [{ kind: 'ServiceAccount', name: 'ci', namespace: 'kinds' }],
      'subjects[0].kind',
    ],
  ])('refuses a role binding with %s and stores nothing', async (_what, roleRef, subjects, field) => {
    const response = await api.call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/refused/rolebindings', {
      body: {
        metadata: { name: 'bad' },
        roleRef,
        subjects: subjects.length ? subjects : [{ kind: 'User', name: 'bob' }],
      },
    });
    expect(response.status).toBe(422);
    expect(response.json.details.causes.map((c: { field: string }) => c.field)).toContain(field);
    const list = await api.call('GET', '/apis/rbac.authorization.k8s.io/v1/namespaces/refused/rolebindings');
    expect(list.json.items).toEqual([]);
  });
});

describe('SelfSubjectAccessReview (kubectl auth can-i)', () => {
  const review = (token: string, resourceAttributes: Record<string, string>) =>
    api.call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      token,
      body: {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec: { resourceAttributes },
      },
    });

  beforeAll(async () => {
    const bind = (name: string, role: string, user: string) =>
      api.call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/cani/rolebindings', {
        body: {
          metadata: { name },
          roleRef: { kind: 'ClusterRole', name: role },
          subjects: [{ kind: 'User', name: user }],
        },
      });
    expect((await bind('v', 'view', 'viewer')).status).toBe(201);
    expect((await bind('e', 'edit', 'editor')).status).toBe(201);
  });

  it.each([
    ['viewer', 'get', 'imagestreams', true],
    ['viewer', 'list', 'imagestreamtags', true],
    ['viewer', 'update', 'imagestreamtags', false],
    ['editor', 'update', 'imagestreamtags', true],
    ['editor', 'create', 'imagestreamimports', true],
    ['editor', 'create', 'secrets', false],
    ['stranger', 'get', 'imagestreams', false],
    ['alice', 'delete', 'rolebindings', true],
  ] as const)('%s may %s %s: %s', async (who, verb, resource, allowed) => {
    const group =
      resource === 'secrets' ? '' : resource === 'rolebindings' ? 'rbac.authorization.k8s.io' : 'image.openshift.io';
    const response = await review(tokens[who], { namespace: 'cani', verb, group, resource });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { namespace: 'cani', verb, group, resource } },
      status: { allowed },
    });
    if (!allowed) expect(response.json.status.reason).toEqual(expect.any(String));
  });

  it('answers no for a verb the service does not serve, and for an unknown resource', async () => {
    const watch = await review(tokens.alice, {
      namespace: 'cani',
      verb: 'deletecollection',
      group: 'image.openshift.io',
      resource: 'imagestreams',
    });
    expect(watch.json.status).toEqual({
      allowed: false,
      reason: 'imagestreams do not support the verb "deletecollection"',
    });
    const pods = await review(tokens.alice, { namespace: 'cani', verb: 'get', group: '', resource: 'pods' });
    expect(pods.json.status).toEqual({ allowed: false, reason: 'the server has no resource "pods" in group ""' });
  });

  it.each([
    ['viewer', 'get', true],
    ['viewer', 'update', false],
    ['editor', 'update', true],
    ['stranger', 'get', false],
  ] as const)(
    'answers imagestreams/layers, the registry’s pull (get) and push (update): %s may %s: %s',
    async (who, verb, allowed) => {
      const response = await review(tokens[who], {
        namespace: 'cani',
        verb,
        group: 'image.openshift.io',
        resource: 'imagestreams',
        subresource: 'layers',
        name: 'app',
      });
      expect(response.status).toBe(201);
      expect(response.json.status.allowed).toBe(allowed);
      if (!allowed) expect(response.json.status.reason).toEqual(expect.any(String));
    },
  );

  it('serves no verb on imagestreams/layers but get and update', async () => {
    const response = await review(tokens.alice, {
      namespace: 'cani',
      verb: 'delete',
      group: 'image.openshift.io',
      resource: 'imagestreams',
      subresource: 'layers',
    });
    expect(response.json.status).toEqual({
      allowed: false,
      reason: 'imagestreams/layers do not support the verb "delete"',
    });
  });

  it('refuses a review without attributes', async () => {
    const response = await api.call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: { spec: {} },
    });
    expect(response.status).toBe(422);
  });
});

// kubectl's typed commands (create namespace|secret|rolebinding, auth can-i) send protobuf. An encoder of
// our own, from .proto text written here (field numbers of k8s.io/api's generated.proto files).
const wire = protobuf.parse(`
  syntax = "proto2";
  message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
  message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
  message ObjectMeta { optional string name = 1; optional string namespace = 3; }
  message Secret { optional ObjectMeta metadata = 1; map<string,bytes> data = 2; optional string type = 3; }
  message ResourceAttributes { optional string namespace = 1; optional string verb = 2; optional string group = 3;
    optional string version = 4; optional string resource = 5; optional string subresource = 6; optional string name = 7; }
  message SelfSubjectAccessReviewSpec { optional ResourceAttributes resourceAttributes = 1; }
  message SelfSubjectAccessReview { optional ObjectMeta metadata = 1; optional SelfSubjectAccessReviewSpec spec = 2; }
  message ImageStream { optional ObjectMeta metadata = 1; }
`).root;

function envelope(apiVersion: string, kind: string, type: string, value: Record<string, unknown>): Buffer {
  const raw = wire.lookupType(type).encode(wire.lookupType(type).fromObject(value)).finish();
  const unknown = wire.lookupType('Unknown');
  const body = unknown
    .encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' }))
    .finish();
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), body]);
}

async function postProtobuf(path: string, body: Buffer, token = tokens.alice) {
  const response = await fetch(api.url + path, {
    dispatcher: api.dispatcher,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.kubernetes.protobuf', accept: aPb },
    body,
  });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text), headers: response.headers };
}

describe('protobuf request bodies', () => {
  it('answers kubectl auth can-i, sent as protobuf, in JSON', async () => {
    const body = envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', 'SelfSubjectAccessReview', {
      metadata: {},
      spec: {
        resourceAttributes: {
          namespace: 'pb',
          verb: 'update',
          group: 'image.openshift.io',
          resource: 'imagestreamtags',
        },
      },
    });
    const admin = await postProtobuf('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', body);
    expect(admin.status).toBe(201);
    expect(admin.headers.get('content-type')).toBe('application/json');
    expect(admin.json).toMatchObject({ kind: 'SelfSubjectAccessReview', status: { allowed: true } });
    const viewer = await postProtobuf('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', body, tokens.viewer);
    expect(viewer.json.status.allowed).toBe(false);
  });

  it('creates a docker-registry secret sent as protobuf (binary data bytes)', async () => {
    const config = Buffer.from(JSON.stringify({ auths: { 'ghcr.io': { username: 'u', password: 'pb-password' } } }));
    const body = envelope('v1', 'Secret', 'Secret', {
      metadata: { name: 'pb-reg', namespace: 'pb' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': config },
    });
    const created = await postProtobuf('/api/v1/namespaces/pb/secrets?fieldManager=kubectl-create', body);
    expect(created.status).toBe(201);
    expect(created.json.metadata.annotations).toEqual({ 'imagestreams.dev/registries': 'ghcr.io' });
  });

  it('refuses a protobuf body of a kind kubectl sends as JSON with 415, and writes nothing', async () => {
    const body = envelope('image.openshift.io/v1', 'ImageStream', 'ImageStream', { metadata: { name: 'pb-stream' } });
    const response = await postProtobuf('/apis/image.openshift.io/v1/namespaces/pb/imagestreams', body);
    expect(response.status).toBe(415);
    expect(response.json).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType' });
    expect((await api.call('GET', '/apis/image.openshift.io/v1/namespaces/pb/imagestreams/pb-stream')).status).toBe(
      404,
    );
  });

  it('refuses bytes that are not a Kubernetes protobuf envelope with 400', async () => {
    const response = await postProtobuf('/api/v1/namespaces', Buffer.from('{"metadata":{"name":"x"}}'));
    expect(response.status).toBe(400);
    expect(response.json.reason).toBe('BadRequest');
  });
});
