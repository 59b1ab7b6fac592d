import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi, tokens } from '../support/api-under-test.ts';

let api: ApiUnderTest;

beforeAll(async () => {
  api = await startApi({
    IMAGESTREAMS_IMPORT_TIMEOUT_MS: '0',
    IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
    // "owner" may create namespaces (and becomes the admin of each one it creates).
    IMAGESTREAMS_NAMESPACE_CREATORS: 'owner',
    IMAGESTREAMS_HISTORY_LIMIT: '1000',
  });
});
afterAll(async () => {
  await api.close();
});

const admin = (method: string, path: string, body?: unknown) =>
  api.call(method, path, { token: tokens.admin, ...(body ? { body } : {}) });

describe('namespace in use', () => {
  it('refuses a namespace creator a namespace that holds only triggers, which stay unread and in place', async () => {
    const created = await admin('POST', '/apis/imagestreams.dev/v1/namespaces/hooks-only/imagetriggers', {
      metadata: { name: 'deploy' },
      spec: {
        from: { kind: 'ImageStreamTag', name: 'app:v1' },
        fireOnCreate: false,
        target: { webhook: { url: 'https://ci.example.com/hook', secret: 'a-webhook-secret-of-length' } },
      },
    });
    expect(created.status).toBe(201);

    const takeover = await api.call('POST', '/api/v1/namespaces', {
      token: tokens.owner,
      body: { metadata: { name: 'hooks-only' } },
    });
    expect(takeover.status).toBe(409);
    expect(takeover.json.reason).toBe('AlreadyExists');
    expect(
      (await api.call('GET', '/apis/imagestreams.dev/v1/namespaces/hooks-only/imagetriggers', { token: tokens.owner }))
        .status,
    ).toBe(403);
    expect(
      (
        await api.call('DELETE', '/apis/imagestreams.dev/v1/namespaces/hooks-only/imagetriggers/deploy', {
          token: tokens.owner,
        })
      ).status,
    ).toBe(403);
    expect(
      (await admin('GET', '/apis/imagestreams.dev/v1/namespaces/hooks-only/imagetriggers')).json.items.map(
        (t: any) => t.metadata.name,
      ),
    ).toEqual(['deploy']);
    expect(
      (await admin('GET', '/apis/rbac.authorization.k8s.io/v1/namespaces/hooks-only/rolebindings')).json.items,
    ).toEqual([]);
  });

  it('still lets a namespace creator create a namespace nobody uses', async () => {
    const response = await api.call('POST', '/api/v1/namespaces', {
      token: tokens.owner,
      body: { metadata: { name: 'fresh' } },
    });
    expect(response.status).toBe(201);
  });
});

describe('objects over the store item limit', () => {
  it('answers 413 for a secret too large to store, and stores nothing', async () => {
    const response = await admin('POST', '/api/v1/namespaces/sizes/secrets', {
      metadata: { name: 'huge' },
      type: 'kubernetes.io/dockerconfigjson',
      stringData: {
        '.dockerconfigjson': JSON.stringify({
          auths: { 'quay.io': { username: 'robot', password: 'p'.repeat(420 * 1024) } },
        }),
      },
    });
    expect(response.status).toBe(413);
    expect(response.json).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
    expect(response.json.message).toBe(
      'secrets "huge" is too large to store (at most 400 KB per object): shorten its history, annotations, subjects or data',
    );
    expect((await admin('GET', '/api/v1/namespaces/sizes/secrets/huge')).status).toBe(404);
  });

  it('answers 413 for a tag whose annotations no longer fit beside its long history, and leaves the tag as it was', async () => {
    const ref = (i: number) => `quay.io/${'x'.repeat(200)}/app:${i}`;
    expect(
      (
        await admin('PUT', '/apis/image.openshift.io/v1/namespaces/sizes/imagestreamtags/app:v1', {
          tag: { name: 'v1', reference: true, from: { kind: 'DockerImage', name: ref(0) } },
        })
      ).status,
    ).toBeLessThan(300);
    // A long history, as imports and re-tags over years make it: about 220 KB.
    const state = await api.stores.streams.getStream('sizes', 'app');
    const tag = state?.tags.find((t) => t.name === 'v1');
    if (!state || !tag) throw new Error('no tag');
    await api.stores.streams.putTag(state.stream, {
      ...tag,
      items: Array.from({ length: 700 }, (_, i) => ({
        created: '2026-01-01T00:00:00Z',
        dockerImageReference: ref(i),
        image: `sha256:${String(i).padStart(64, '0')}`,
        generation: 1,
      })),
    });
    const before = (await admin('GET', '/apis/image.openshift.io/v1/namespaces/sizes/imagestreamtags/app:v1')).json;

    const response = await admin('PUT', '/apis/image.openshift.io/v1/namespaces/sizes/imagestreamtags/app:v1', {
      metadata: { annotations: { note: 'n'.repeat(250 * 1024) } },
      tag: { name: 'v1', reference: true, from: { kind: 'DockerImage', name: ref(0) } },
    });
    expect(response.status).toBe(413);
    expect(response.json.reason).toBe('RequestEntityTooLarge');
    expect(response.json.message).toContain('imagestreamtags.image.openshift.io "app:v1" is too large to store');
    const after = (await admin('GET', '/apis/image.openshift.io/v1/namespaces/sizes/imagestreamtags/app:v1')).json;
    expect(after.tag).toEqual(before.tag);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.image).toEqual(before.image);
  });
});
