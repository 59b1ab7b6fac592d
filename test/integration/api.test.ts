import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi, tokens } from '../support/api-under-test.ts';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const A = digest('a');
const B = digest('b');
const C = digest('c');
const streams = '/apis/image.openshift.io/v1/namespaces/demo/imagestreams';
const istag = (name: string) => `/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/${name}`;
const tagBody = (tag: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStreamTag',
  metadata,
  tag,
});

let api: ApiUnderTest;
beforeAll(async () => {
  // Imports are left to the scheduled pass here: these tests are about the stream API itself.
  api = await startApi({ IMAGESTREAMS_IMPORT_TIMEOUT_MS: '0' });
});
afterAll(async () => {
  await api.close();
});

/** Records an import result the way the importer does: a history event with an image, written through the store. */
async function recordImport(namespace: string, stream: string, tag: string, image: string, ref: string): Promise<void> {
  const state = await api.stores.streams.getStream(namespace, stream);
  if (!state) throw new Error('no stream');
  const old = state.tags.find((t) => t.name === tag);
  const generation = old?.spec?.generation ?? state.stream.generation;
  await api.stores.streams.putTag(state.stream, {
    name: tag,
    spec: old?.spec ?? null,
    items: [
      { created: new Date().toISOString().replace(/\.\d+Z/, 'Z'), dockerImageReference: ref, image, generation },
      ...(old?.items ?? []),
    ],
    conditions: [],
    version: old?.version ?? 0,
  });
  await api.stores.images.putImage({
    metadata: { name: image },
    dockerImageReference: ref,
    dockerImageMetadata: { Architecture: 'amd64', Config: { Cmd: ['python3'] } },
  });
}

describe('image streams over the HTTPS API', () => {
  it('creates a stream from an OpenShift manifest, leaving DockerImage tags pending and recording references at once', async () => {
    const created = await api.call('POST', streams, {
      body: {
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageStream',
        metadata: { name: 'python', labels: { team: 'a' } },
        spec: {
          tags: [
            { name: 'latest', from: { kind: 'DockerImage', name: 'docker.io/library/python:3.12' } },
            {
              name: 'ref',
              reference: true,
              from: { kind: 'DockerImage', name: 'quay.io/team/python:3.11' },
              annotations: { description: 'pointer only' },
            },
          ],
        },
      },
    });
    expect(created.status).toBe(201);
    expect(created.json.metadata).toMatchObject({
      name: 'python',
      namespace: 'demo',
      generation: 1,
      labels: { team: 'a' },
    });
    expect(created.json.spec.tags.map((t: { name: string; generation: number }) => [t.name, t.generation])).toEqual([
      ['latest', 1],
      ['ref', 1],
    ]);
    expect(created.json.status.tags).toEqual([
      {
        tag: 'ref',
        items: [
          {
            created: expect.any(String),
            dockerImageReference: 'quay.io/team/python:3.11',
            image: '',
            generation: 1,
            actor: 'user:alice',
          },
        ],
      },
    ]);

    const describe = await api.call('GET', `${streams}/python/describe`);
    expect(describe.headers.get('content-type')).toContain('text/plain');
    expect(describe.text).toContain(
      'latest\n  tagged from docker.io/library/python:3.12\n\n  ~ importing latest image ...',
    );
    expect(describe.text).toContain(
      'ref\n  reference to registry quay.io/team/python:3.11\n\n  pointer only\n\n  * quay.io/team/python:3.11',
    );
  });

  it('serves imported tags as ImageStreamTags and ImageStreamImages, with prefix lookup by digest', async () => {
    await recordImport('demo', 'python', 'latest', A, `docker.io/library/python@${A}`);
    const tag = await api.call('GET', istag('python:latest'));
    expect(tag.status).toBe(200);
    expect(tag.json).toMatchObject({
      kind: 'ImageStreamTag',
      metadata: { name: 'python:latest', namespace: 'demo' },
      image: {
        metadata: { name: A },
        dockerImageReference: `docker.io/library/python@${A}`,
        dockerImageMetadata: { Architecture: 'amd64' },
      },
    });

    for (const id of [A, 'aaaaaaaa', 'sha256:aaaa']) {
      const image = await api.call('GET', `/apis/image.openshift.io/v1/namespaces/demo/imagestreamimages/python@${id}`);
      expect(image.status).toBe(200);
      expect(image.json.image.metadata.name).toBe(A);
    }
    const describeTag = await api.call('GET', `${istag('python:latest')}/describe`);
    expect(describeTag.text).toContain(`Image Name:\t${A}\n`);
    expect(describeTag.text).toContain('Arch:\t\tamd64\n');
  });

  it('answers 404 for a pending tag, an unknown tag and an image not in the history', async () => {
    await recordImport('demo', 'python', 'other', B, `q/o@${B}`);
    const pending = await api.call('PUT', istag('python:pending'), {
      body: tagBody({ name: 'pending', from: { kind: 'DockerImage', name: 'python:3.13' } }),
    });
    expect(pending.status).toBe(200);
    expect(pending.json.image.metadata.name).toBe('');
    for (const path of [
      istag('python:pending'),
      istag('python:nope'),
      istag('nostream:latest'),
      `/apis/image.openshift.io/v1/namespaces/demo/imagestreamimages/python@${C}`,
    ]) {
      const response = await api.call('GET', path);
      expect(response.status, path).toBe(404);
      expect(response.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
    }
  });

  it('pins a tag to an image of the history and rolls back by adding a new head', async () => {
    await recordImport('demo', 'python', 'latest', C, `docker.io/library/python@${C}`);
    const pinned = await api.call('PUT', istag('python:prod'), {
      body: tagBody({ name: 'prod', from: { kind: 'ImageStreamImage', name: 'python@aaaa' } }),
    });
    expect(pinned.status).toBe(200);
    expect(pinned.json.image.metadata.name).toBe(A);

    const rollback = await api.call('PUT', istag('python:latest'), {
      body: tagBody({ name: 'latest', from: { kind: 'ImageStreamImage', name: `python@${A}` } }),
    });
    expect(rollback.status).toBe(200);
    const stream = await api.call('GET', `${streams}/python`);
    const latest = stream.json.status.tags.find((t: { tag: string }) => t.tag === 'latest');
    expect(latest.items.map((i: { image: string }) => i.image)).toEqual([A, C, A]);
    expect(latest.items[0].actor).toBe('user:alice');
  });

  it('copies a tag of another stream once, and keeps an alias in the same stream in step with its target', async () => {
    const alias = await api.call('PUT', istag('python:stable'), {
      body: tagBody({ name: 'stable', from: { kind: 'ImageStreamTag', name: 'latest' } }),
    });
    expect(alias.json.image.metadata.name).toBe(A);
    const copy = await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/base:py', {
      body: tagBody({ name: 'py', from: { kind: 'ImageStreamTag', name: 'python:latest' } }),
    });
    expect(copy.status).toBe(200);
    expect(copy.json.image.metadata.name).toBe(A);

    await api.call('PUT', istag('python:latest'), {
      body: tagBody({ name: 'latest', from: { kind: 'ImageStreamImage', name: `python@${B}` } }),
    });
    expect((await api.call('GET', istag('python:stable'))).json.image.metadata.name).toBe(B);
    expect(
      (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/base:py')).json.image.metadata
        .name,
    ).toBe(A);

    const text = (await api.call('GET', `${streams}/python/describe`)).text;
    expect(text).toMatch(/\nlatest \(stable\)\n {2}tagged from python@sha256:b{64}\n/);
  });

  it('repairs an alias whose write was lost, on the next read', async () => {
    // The target moves while the alias item keeps its old history, as after a crash between the two writes.
    await recordImport('demo', 'python', 'latest', C, `docker.io/library/python@${C}`);
    const stored = await api.stores.streams.getStream('demo', 'python');
    expect(stored?.tags.find((t) => t.name === 'stable')?.items[0]?.image).toBe(B);
    const stable = await api.call('GET', istag('python:stable'));
    expect(stable.json.image.metadata.name).toBe(C);
  });

  it('tags across namespaces as a snapshot and shows the source namespace', async () => {
    const response = await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/team-b/imagestreamtags/app:base', {
      body: tagBody({ name: 'base', from: { kind: 'ImageStreamTag', name: 'python:latest', namespace: 'demo' } }),
    });
    expect(response.status).toBe(200);
    expect(response.json.image.metadata.name).toBe(C);
    const text = (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/team-b/imagestreams/app/describe'))
      .text;
    expect(text).toContain('base\n  tagged from demo/python:latest\n');
  });

  it('writes nothing for a PUT of a stream as it is (kubectl apply re-sends it), and keeps its resourceVersion', async () => {
    const manifest = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'same', labels: { app: 'same' } },
      spec: { tags: [{ name: 'v1', reference: true, from: { kind: 'DockerImage', name: 'quay.io/org/same:v1' } }] },
    };
    const own = '/apis/image.openshift.io/v1/namespaces/unchanged/imagestreams';
    const created = await api.call('POST', own, { body: manifest });
    expect(created.status).toBe(201);
    api.dynalite.requests.clear();
    const again = await api.call('PUT', `${own}/same`, { body: manifest });
    expect(again.status).toBe(200);
    expect(again.json.metadata.resourceVersion).toBe(created.json.metadata.resourceVersion);
    const writes = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].map(
      (op) => api.dynalite.requests.get(op) ?? 0,
    );
    expect(writes).toEqual([0, 0, 0, 0]);
    const relabelled = await api.call('PUT', `${own}/same`, {
      body: { ...manifest, metadata: { ...manifest.metadata, labels: { app: 'other' } } },
    });
    expect(relabelled.json.metadata.resourceVersion).not.toBe(created.json.metadata.resourceVersion);
  });

  it('lists streams and tags of a namespace', async () => {
    const list = await api.call('GET', streams);
    expect(list.json.kind).toBe('ImageStreamList');
    expect(list.json.items.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual(['base', 'python']);
    const tags = await api.call('GET', '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags');
    expect(tags.json.items.map((t: { metadata: { name: string } }) => t.metadata.name)).toEqual([
      'base:py',
      'python:latest',
      'python:other',
      'python:prod',
      'python:stable',
    ]);
    expect((await api.call('GET', '/apis/image.openshift.io/v1/namespaces/empty/imagestreams')).json.items).toEqual([]);
  });

  it('deletes a tag with its history, and a stream with its tags', async () => {
    expect((await api.call('DELETE', istag('python:other'))).json).toMatchObject({ kind: 'Status', status: 'Success' });
    expect((await api.call('GET', istag('python:other'))).status).toBe(404);
    expect((await api.call('DELETE', istag('python:other'))).status).toBe(404);

    expect((await api.call('DELETE', '/apis/image.openshift.io/v1/namespaces/team-b/imagestreams/app')).status).toBe(
      200,
    );
    expect((await api.call('GET', '/apis/image.openshift.io/v1/namespaces/team-b/imagestreams/app')).status).toBe(404);
    const recreated = await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/team-b/imagestreamtags/app:other', {
      body: tagBody({ name: 'other', reference: true, from: { kind: 'DockerImage', name: 'x/y:1' } }),
    });
    expect(recreated.status).toBe(200);
    const app = await api.call('GET', '/apis/image.openshift.io/v1/namespaces/team-b/imagestreams/app');
    expect(app.json.spec.tags.map((t: { name: string }) => t.name)).toEqual(['other']);
  });

  it('replaces a stream spec with PUT: changed tags get the new generation, removed spec tags keep their history', async () => {
    const current = (await api.call('GET', `${streams}/python`)).json;
    const spec = current.spec.tags.filter((t: { name: string }) => t.name !== 'prod');
    spec.find((t: { name: string }) => t.name === 'ref').from.name = 'quay.io/team/python:3.13';
    const replaced = await api.call('PUT', `${streams}/python`, {
      body: { ...current, spec: { ...current.spec, tags: spec } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json.metadata.generation).toBe(current.metadata.generation + 1);
    const ref = replaced.json.spec.tags.find((t: { name: string }) => t.name === 'ref');
    expect(ref.generation).toBe(replaced.json.metadata.generation);
    expect(replaced.json.spec.tags.some((t: { name: string }) => t.name === 'prod')).toBe(false);
    expect(replaced.json.status.tags.find((t: { tag: string }) => t.tag === 'prod').items).toHaveLength(1);
    expect((await api.call('GET', `${streams}/python/describe`)).text).toContain('prod\n  no spec tag\n');

    const stale = await api.call('PUT', `${streams}/python`, { body: current });
    expect(stale.status).toBe(409);
    expect(stale.json.reason).toBe('Conflict');
  });

  it('keeps tag annotations on a PUT that does not mention them, and replaces them when metadata carries them', async () => {
    await api.call('PUT', istag('python:notes'), {
      body: tagBody(
        { name: 'notes', reference: true, from: { kind: 'DockerImage', name: 'n:1' } },
        { annotations: { description: 'kept' } },
      ),
    });
    await api.call('PUT', istag('python:notes'), {
      body: tagBody({ name: 'notes', reference: true, from: { kind: 'DockerImage', name: 'n:2' } }),
    });
    let spec = (await api.call('GET', `${streams}/python`)).json.spec.tags.find(
      (t: { name: string }) => t.name === 'notes',
    );
    expect(spec.annotations).toEqual({ description: 'kept' });
    await api.call('PUT', istag('python:notes'), {
      body: tagBody(
        { name: 'notes', reference: true, from: { kind: 'DockerImage', name: 'n:2' } },
        { annotations: {} },
      ),
    });
    spec = (await api.call('GET', `${streams}/python`)).json.spec.tags.find(
      (t: { name: string }) => t.name === 'notes',
    );
    // Cleared: answered as null, as OpenShift answers a tag without annotations.
    expect(spec.annotations).toBeNull();
  });
});

describe('the Lambda handler with API Gateway events', () => {
  const captured = JSON.parse(
    readFileSync(new URL('../fixtures/events/apigw-v2-jwt.json', import.meta.url), 'utf8'),
  ) as APIGatewayProxyEventV2;
  const context = { awsRequestId: 'req-1' } as Context;

  it('authorises the JWT principal by its groups claim, with API Gateway path parameters', async () => {
    const refused = await api.handler(structuredClone(captured), context);
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body ?? '').message).toContain('needs the role view');
    const granted = await api.call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/demo/rolebindings', {
      body: {
        metadata: { name: 'platform-view' },
        roleRef: { name: 'view' },
        subjects: [{ kind: 'Group', name: 'platform' }],
      },
    });
    expect(granted.status).toBe(201);
    const response = await api.handler(structuredClone(captured), context);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body ?? '').metadata.name).toBe('python');
    await api.call('DELETE', '/apis/rbac.authorization.k8s.io/v1/namespaces/demo/rolebindings/platform-view');
  });

  it('answers 401 when the authorizer context is missing', async () => {
    const event = structuredClone(captured);
    delete (event.requestContext as { authorizer?: unknown }).authorizer;
    const response = await api.handler(event, context);
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body ?? '')).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });
});

describe('bad input changes nothing and gets a clear Status', () => {
  const big = 'x'.repeat(1024 * 1024 + 1);
  const cases: [
    string,
    string,
    string,
    { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> },
    number,
    string,
    string?,
  ][] = [
    [
      'malformed JSON',
      'POST',
      streams,
      { raw: '{"metadata":', headers: { 'content-type': 'application/json' } },
      400,
      'BadRequest',
    ],
    [
      'a JSON prototype key',
      'POST',
      streams,
      { raw: '{"__proto__":{"x":1},"metadata":{"name":"p"}}', headers: { 'content-type': 'application/json' } },
      400,
      'BadRequest',
    ],
    [
      'a wrong content type',
      'POST',
      streams,
      { raw: 'name: python', headers: { 'content-type': 'application/yaml' } },
      415,
      'UnsupportedMediaType',
    ],
    ['no content type', 'PUT', istag('python:x'), { raw: '{}' }, 415, 'UnsupportedMediaType'],
    [
      'a body over 1 MiB',
      'POST',
      streams,
      { body: { metadata: { name: 'big', annotations: { a: big } } } },
      413,
      'RequestEntityTooLarge',
    ],
    ['a JSON array body', 'POST', streams, { body: [1] }, 422, 'Invalid', '<body>'],
    [
      'a field of the wrong type',
      'POST',
      streams,
      { body: { metadata: { name: 'p2' }, spec: { tags: [{ name: 'a', reference: 'yes' }] } } },
      422,
      'Invalid',
      'spec.tags[0].reference',
    ],
    [
      'an unknown field',
      'PUT',
      istag('python:x'),
      { body: tagBody({ name: 'x', fromm: {} }) },
      422,
      'Invalid',
      'tag.fromm',
    ],
    [
      'an invalid stream name',
      'POST',
      streams,
      { body: { metadata: { name: 'Python' } } },
      422,
      'Invalid',
      'metadata.name',
    ],
    ['an invalid stream name in the path', 'GET', `${streams}/Py..thon`, {}, 422, 'Invalid', 'metadata.name'],
    ['broken percent-encoding in a name', 'GET', `${streams}/%E0%A4%A`, {}, 400, 'BadRequest'],
    ['an encoded slash in a name', 'GET', `${streams}/a%2Fb`, {}, 422, 'Invalid', 'metadata.name'],
    [
      'an invalid namespace',
      'GET',
      '/apis/image.openshift.io/v1/namespaces/Demo_1/imagestreams',
      {},
      422,
      'Invalid',
      'metadata.namespace',
    ],
    [
      'an invalid tag',
      'PUT',
      istag('python:-x'),
      { body: tagBody({ name: '-x', reference: true, from: { kind: 'DockerImage', name: 'a' } }) },
      422,
      'Invalid',
      'metadata.name',
    ],
    ['an istag name without a tag', 'GET', istag('python'), {}, 400, 'BadRequest'],
    [
      'an isimage name without an id',
      'GET',
      '/apis/image.openshift.io/v1/namespaces/demo/imagestreamimages/python',
      {},
      400,
      'BadRequest',
    ],
    [
      'an invalid reference',
      'PUT',
      istag('python:x'),
      { body: tagBody({ name: 'x', from: { kind: 'DockerImage', name: 'UPPER/case' } }) },
      422,
      'Invalid',
      'tag.from.name',
    ],
    [
      'a tag name that differs from the URL',
      'PUT',
      istag('python:x'),
      { body: tagBody({ name: 'y', reference: true, from: { kind: 'DockerImage', name: 'a' } }) },
      422,
      'Invalid',
      'tag.name',
    ],
    [
      'a digest that is not in the history',
      'PUT',
      istag('python:x'),
      { body: tagBody({ name: 'x', from: { kind: 'ImageStreamImage', name: `python@${digest('d')}` } }) },
      422,
      'Invalid',
      'spec.tags[x].from.name',
    ],
    [
      'a refused source on a stream that does not exist yet',
      'PUT',
      istag('fresh:x'),
      { body: tagBody({ name: 'x', from: { kind: 'ImageStreamImage', name: `python@${digest('d')}` } }) },
      422,
      'Invalid',
      'spec.tags[x].from.name',
    ],
    [
      'a source stream that does not exist',
      'PUT',
      istag('python:x'),
      { body: tagBody({ name: 'x', from: { kind: 'ImageStreamTag', name: 'ghost:latest' } }) },
      422,
      'Invalid',
      'spec.tags[x].from',
    ],
    [
      'an image id that is not a digest',
      'PUT',
      istag('python:x'),
      { body: tagBody({ name: 'x', from: { kind: 'ImageStreamImage', name: 'python@sha256:' } }) },
      422,
      'Invalid',
      'tag.from.name',
    ],
    [
      'an ambiguous image prefix',
      'PUT',
      istag('python:x'),
      { body: tagBody({ name: 'x', from: { kind: 'ImageStreamImage', name: 'python@sha256:d' } }) },
      409,
      'Conflict',
    ],
    [
      'a stale resourceVersion',
      'PUT',
      istag('python:latest'),
      {
        body: tagBody(
          { name: 'latest', reference: true, from: { kind: 'DockerImage', name: 'a' } },
          { resourceVersion: '1' },
        ),
      },
      409,
      'Conflict',
    ],
    ['a stream that already exists', 'POST', streams, { body: { metadata: { name: 'python' } } }, 409, 'AlreadyExists'],
    [
      'a namespace that differs from the URL',
      'POST',
      streams,
      { body: { metadata: { name: 'p3', namespace: 'other' } } },
      400,
      'BadRequest',
    ],
    [
      'a name that differs from the URL',
      'PUT',
      `${streams}/python`,
      { body: { metadata: { name: 'other' } } },
      400,
      'BadRequest',
    ],
    [
      'a tag PUT without a tag for a missing spec tag',
      'PUT',
      istag('python:x'),
      { body: tagBody(null as never) },
      400,
      'BadRequest',
    ],
    [
      'a PUT of a stream that does not exist',
      'PUT',
      `${streams}/ghost`,
      { body: { metadata: { name: 'ghost' } } },
      404,
      'NotFound',
    ],
    ['a DELETE of a stream that does not exist', 'DELETE', `${streams}/ghost`, {}, 404, 'NotFound'],
    ['an unknown route', 'GET', '/api/v1/namespaces/demo/pods', {}, 404, 'NotFound'],
    ['an unsupported method', 'POST', `${streams}/python`, { body: {} }, 405, 'MethodNotAllowed'],
    ['no token', 'GET', streams, { token: null }, 401, 'Unauthorized'],
    ['an unknown token', 'GET', streams, { token: 'not-a-token-at-all-0000' }, 401, 'Unauthorized'],
    [
      'no token on a write',
      'POST',
      streams,
      { token: null, body: { metadata: { name: 'sneaky' } } },
      401,
      'Unauthorized',
    ],
  ];

  beforeAll(async () => {
    await recordImport('demo', 'python', 'twin1', `sha256:d${'1'.repeat(63)}`, 'q/p:1');
    await recordImport('demo', 'python', 'twin2', `sha256:d${'2'.repeat(63)}`, 'q/p:2');
  });

  it.each(cases)('%s → %d', async (_what, method, path, options, code, reason, field) => {
    const before = await snapshot();
    const response = await api.call(method, path, options);
    expect(response.status).toBe(code);
    expect(response.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code });
    expect(response.json.message).toEqual(expect.any(String));
    if (field) expect(response.json.details.causes.map((c: { field: string }) => c.field)).toContain(field);
    expect(await snapshot()).toEqual(before);
  });

  async function snapshot() {
    const [a, b] = await Promise.all([
      api.call('GET', streams, { token: tokens.admin }),
      api.call('GET', '/apis/image.openshift.io/v1/namespaces/team-b/imagestreams', { token: tokens.admin }),
    ]);
    // A list's resourceVersion is when it was read (README: lists); what is stored is in the items.
    return [a.json.items, b.json.items];
  }
});

describe('concurrent oc tag', () => {
  it('lands 50 concurrent PUTs to 50 tags of one stream, each with its own generation', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api.call('PUT', `/apis/image.openshift.io/v1/namespaces/load/imagestreamtags/many:t${i}`, {
          body: tagBody({ name: `t${i}`, reference: true, from: { kind: 'DockerImage', name: `quay.io/a/b:${i}` } }),
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const stream = (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/load/imagestreams/many')).json;
    expect(stream.spec.tags).toHaveLength(50);
    expect(stream.status.tags.map((t: { items: unknown[] }) => t.items.length)).toEqual(Array(50).fill(1));
    expect(new Set(stream.spec.tags.map((t: { generation: number }) => t.generation)).size).toBe(50);
    for (const tag of stream.status.tags)
      expect(tag.items[0].dockerImageReference).toBe(`quay.io/a/b:${tag.tag.slice(1)}`);
  });

  it('lands or refuses with 409 each of 20 concurrent PUTs to one tag, losing no landed update', async () => {
    await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/load/imagestreamtags/one:t', {
      body: tagBody({ name: 't', reference: true, from: { kind: 'DockerImage', name: 'quay.io/a/b:start' } }),
    });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.call('PUT', '/apis/image.openshift.io/v1/namespaces/load/imagestreamtags/one:t', {
          body: tagBody({ name: 't', reference: true, from: { kind: 'DockerImage', name: `quay.io/a/b:${i}` } }),
        }),
      ),
    );
    expect(responses.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const landed = responses.flatMap((r, i) => (r.status === 200 ? [`quay.io/a/b:${i}`] : []));
    const items = (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/load/imagestreams/one')).json.status
      .tags[0].items as {
      dockerImageReference: string;
    }[];
    expect(items.map((i) => i.dockerImageReference).sort()).toEqual([...landed, 'quay.io/a/b:start'].sort());
    expect(items.at(-1)?.dockerImageReference).toBe('quay.io/a/b:start');
  });

  it('lets exactly one of 20 concurrent PUTs with the same resourceVersion win', async () => {
    const current = (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/load/imagestreams/one')).json;
    const version = (
      await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/load/imagestreamtags/one:t', {
        body: tagBody({ name: 't', reference: true, from: { kind: 'DockerImage', name: 'quay.io/a/b:rv' } }),
      })
    ).json.metadata.resourceVersion;
    expect(current.kind).toBe('ImageStream');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.call('PUT', '/apis/image.openshift.io/v1/namespaces/load/imagestreamtags/one:t', {
          body: tagBody(
            { name: 't', reference: true, from: { kind: 'DockerImage', name: `quay.io/a/c:${i}` } },
            { resourceVersion: version },
          ),
        }),
      ),
    );
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(19);
  });
});
