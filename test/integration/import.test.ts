import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaTypes } from '../../core/importing/media-types.ts';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { captureStdout } from '../support/printed.ts';
import { pushImage, pushIndex } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';

let api: ApiUnderTest;
let open: RunningRegistry;
let basic: RunningRegistry;
let token: RunningRegistry;
let stdout: ReturnType<typeof captureStdout>;

beforeAll(async () => {
  [open, basic, token] = await Promise.all([
    startRegistry(),
    startRegistry({ kind: 'htpasswd' }),
    startRegistry({ kind: 'token' }),
  ]);
  const insecure = [open.host, basic.host, token.host, token.tokenHost ?? ''].join(',');
  api = await startApi({
    IMAGESTREAMS_INSECURE_REGISTRIES: insecure,
    IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
    IMAGESTREAMS_MAX_BULK_IMPORT: '2',
  });
  // Capture the service's structured logs to prove credentials never reach them.
  stdout = captureStdout();
});
afterAll(async () => {
  stdout.restore();
  await api.close();
  await Promise.all([open.stop(), basic.stop(), token.stop()]);
});

const tag = (namespace: string, name: string, from: string, extra: Record<string, unknown> = {}) =>
  api.call('PUT', `/apis/image.openshift.io/v1/namespaces/${namespace}/imagestreamtags/${name}`, {
    body: { tag: { name: name.split(':')[1], from: { kind: 'DockerImage', name: from }, ...extra } },
  });
const statusOf = async (namespace: string, stream: string, tagName: string) =>
  (
    (await api.call('GET', `/apis/image.openshift.io/v1/namespaces/${namespace}/imagestreams/${stream}`)).json.status
      .tags as {
      tag: string;
      items: { image: string; dockerImageReference: string }[];
      conditions?: { reason: string; message: string; status: string }[];
    }[]
  ).find((t) => t.tag === tagName);

describe('import on tag', () => {
  it('resolves a tag to its digest within the request, spelled as the user wrote the repository', async () => {
    const pushed = await pushImage(open, 'team/app', 'v1', { labels: { 'io.k8s.display-name': 'App' } });
    const response = await tag('demo', 'app:v1', `${open.host}/team/app:v1`);
    expect(response.status).toBe(200);
    expect(response.json.image.metadata.name).toBe(pushed.digest);
    expect(response.json.image.dockerImageReference).toBe(`${open.host}/team/app@${pushed.digest}`);
    expect(response.json.image.dockerImageMetadata).toMatchObject({
      Architecture: 'amd64',
      Os: 'linux',
      Author: 'imagestreams tests',
      Config: {
        Cmd: ['python3'],
        Entrypoint: ['/entry.sh'],
        WorkingDir: '/app',
        Labels: { 'io.k8s.display-name': 'App' },
      },
      Size: pushed.size,
    });
    expect(response.json.image.dockerImageLayers).toEqual(
      pushed.layers.map((l) => ({
        name: l.digest,
        size: l.size,
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
      })),
    );

    const text = (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/app:v1/describe'))
      .text;
    expect(text).toContain(`Image Name:\t${pushed.digest}\n`);
    expect(text).toContain('in 2 layers\nLayers:');
    expect(text).toContain('Entrypoint:\t/entry.sh\n');
    expect(text).toContain('Exposes Ports:\t8080/tcp\n');
    const stream = (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/demo/imagestreams/app/describe'))
      .text;
    expect(stream).toContain(
      `v1\n  tagged from ${open.host}/team/app:v1\n\n  * ${open.host}/team/app@${pushed.digest}\n`,
    );
  });

  it('follows a re-pushed tag on re-import and keeps the previous image in history', async () => {
    const before = await statusOf('demo', 'app', 'v1');
    const moved = await pushImage(open, 'team/app', 'v1');
    const response = await api.call('POST', '/apis/image.openshift.io/v1/namespaces/demo/imagestreamimports', {
      body: {
        metadata: { name: 'app' },
        spec: {
          import: true,
          images: [{ from: { kind: 'DockerImage', name: `${open.host}/team/app:v1` }, to: { name: 'v1' } }],
        },
      },
    });
    expect(response.status).toBe(201);
    expect(response.json.status.images[0].status.status).toBe('Success');
    const after = await statusOf('demo', 'app', 'v1');
    expect(after?.items.map((i) => i.image)).toEqual([moved.digest, before?.items[0]?.image]);
  });

  it('keeps a manifest list whole (PreserveOriginal) and records its platforms, skipping attestations', async () => {
    const index = await pushIndex(open, 'team/multi', 'v1', 'oci');
    const response = await tag('demo', 'multi:v1', `${open.host}/team/multi:v1`);
    expect(response.json.image.metadata.name).toBe(index.digest);
    expect(response.json.image.dockerImageManifestMediaType).toBe(mediaTypes.ociIndex);
    expect(
      response.json.image.dockerImageManifests.map((m: { os: string; architecture: string; digest: string }) => [
        `${m.os}/${m.architecture}`,
        m.digest,
      ]),
    ).toEqual(index.children.map((c) => [`linux/${c.platform.architecture}`, c.digest]));
    const list = await api.call(
      'GET',
      `/apis/image.openshift.io/v1/namespaces/demo/imagestreamimages/multi@${index.digest}`,
    );
    expect(list.status).toBe(200);
    const arm = index.children[1];
    const child = await api.call(
      'GET',
      `/apis/image.openshift.io/v1/namespaces/demo/imagestreamimages/multi@${arm?.digest}`,
    );
    expect(child.status).toBe(200);
    expect(child.json.image).toMatchObject({
      metadata: { name: arm?.digest },
      dockerImageReference: `${open.host}/team/multi@${arm?.digest}`,
      dockerImageMetadata: { Architecture: 'arm64' },
    });
    expect(
      (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/multi:v1/describe')).text,
    ).toContain(
      `Manifests:\tlinux/amd64\t${index.children[0]?.digest}\n\t\tlinux/arm64\t${index.children[1]?.digest}\n`,
    );
  });

  it('picks the preferred platform of a Docker manifest list in Legacy mode', async () => {
    const list = await pushIndex(open, 'team/legacy', 'v1', 'docker');
    const response = await tag('demo', 'legacy:arm', `${open.host}/team/legacy:v1`, {
      importPolicy: { importMode: 'Legacy' },
      annotations: { 'importer.image.openshift.io/prefer-arch': 'arm64' },
    });
    expect(response.json.image.metadata.name).toBe(list.children[1]?.digest);
    const amd = await tag('demo', 'legacy:default', `${open.host}/team/legacy:v1`, {
      importPolicy: { importMode: 'Legacy' },
    });
    expect(amd.json.image.metadata.name).toBe(list.children[0]?.digest);
  });

  it('records a missing tag as NotFound and keeps the previous image', async () => {
    const before = await statusOf('demo', 'app', 'v1');
    const response = await tag('demo', 'app:v1', `${open.host}/team/app:missing`);
    expect(response.status).toBe(200);
    const after = await statusOf('demo', 'app', 'v1');
    expect(after?.items).toEqual(before?.items);
    expect(after?.conditions?.[0]).toMatchObject({
      type: 'ImportSuccess',
      status: 'False',
      reason: 'NotFound',
      message: `dockerimage.image.openshift.io "${open.host}/team/app:missing" not found`,
    });
    expect(
      (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/demo/imagestreams/app/describe')).text,
    ).toContain(
      `! error: Import failed (NotFound): dockerimage.image.openshift.io "${open.host}/team/app:missing" not found\n`,
    );
    expect(
      (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/app:v1')).json.image.metadata
        .name,
    ).toBe(before?.items[0]?.image);
  });

  it('records a missing repository as NotFound', async () => {
    await tag('demo', 'ghost:v1', `${open.host}/team/ghost:v1`);
    expect((await statusOf('demo', 'ghost', 'v1'))?.conditions?.[0]?.reason).toBe('NotFound');
  });
});

describe("a registry that names someone else's digest", () => {
  it('cannot read the metadata recorded for it from another repository', async () => {
    const victim = await pushImage(open, 'private/secret-app', 'v1', { labels: { secret: 'victim-label' } });
    await tag('victim', 'app:v1', `${open.host}/private/secret-app:v1`);
    // The liar answers HEAD with the victim's digest but cannot serve bytes that hash to it.
    const liar = createServer((req, res) => {
      if (req.method === 'HEAD')
        res
          .writeHead(200, {
            'docker-content-digest': victim.digest,
            'content-type': mediaTypes.dockerManifest,
            'content-length': '2',
          })
          .end();
      else res.writeHead(200, { 'content-type': mediaTypes.dockerManifest }).end('{}');
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    const liarHost = `127.0.0.1:${(liar.address() as AddressInfo).port}`;
    const attacker = await startApi({ IMAGESTREAMS_INSECURE_REGISTRIES: liarHost });
    try {
      await attacker.stores.images.putImage((await api.stores.images.getImage(victim.digest)) as never); // the same deployment's image records
      await attacker.call('PUT', '/apis/image.openshift.io/v1/namespaces/mallory/imagestreamtags/steal:v1', {
        body: { tag: { name: 'v1', from: { kind: 'DockerImage', name: `${liarHost}/x/y:latest` } } },
      });
      const stolen = await attacker.call('GET', '/apis/image.openshift.io/v1/namespaces/mallory/imagestreams/steal');
      expect(stolen.json.status.tags[0].items).toEqual([]);
      expect(stolen.json.status.tags[0].conditions[0].message).toContain('content integrity error');
      expect(
        (await attacker.call('GET', '/apis/image.openshift.io/v1/namespaces/mallory/imagestreamtags/steal:v1')).status,
      ).toBe(404);
    } finally {
      await attacker.close();
      await new Promise((resolve) => liar.close(resolve));
    }
  });
});

describe('the registry allow-list', () => {
  it('refuses imports from registries that are not allowed, recording Forbidden', async () => {
    const restricted = await startApi({
      IMAGESTREAMS_INSECURE_REGISTRIES: open.host,
      IMAGESTREAMS_ALLOWED_REGISTRIES: 'quay.io,*.example.com',
    });
    try {
      await pushImage(open, 'team/allow', 'v1');
      await restricted.call('PUT', '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/allow:v1', {
        body: { tag: { name: 'v1', from: { kind: 'DockerImage', name: `${open.host}/team/allow:v1` } } },
      });
      const stream = (await restricted.call('GET', '/apis/image.openshift.io/v1/namespaces/demo/imagestreams/allow'))
        .json;
      expect(stream.status.tags[0].items).toEqual([]);
      expect(stream.status.tags[0].conditions[0]).toMatchObject({
        reason: 'Forbidden',
        message: expect.stringContaining('not in the list of allowed registries'),
      });
    } finally {
      await restricted.close();
    }
  });
});

describe('registry credentials', () => {
  const dockerConfig = (registry: RunningRegistry, password: string) =>
    Buffer.from(
      JSON.stringify({
        auths: { [registry.host]: { auth: Buffer.from(`${registry.user?.username}:${password}`).toString('base64') } },
      }),
    ).toString('base64');

  it.each([
    ['Basic', () => basic],
    ['Bearer', () => token],
  ])(
    'imports from a registry with %s auth once the namespace holds credentials, and never shows them',
    async (_kind, registryOf) => {
      const registry = registryOf();
      const namespace = `creds-${_kind.toLowerCase()}`;
      const pushed = await pushImage(registry, 'private/app', 'v1');
      await tag(namespace, 'app:v1', `${registry.host}/private/app:v1`);
      expect((await statusOf(namespace, 'app', 'v1'))?.conditions?.[0]?.reason).toBe('Unauthorized');

      const wrong = await api.call('POST', `/api/v1/namespaces/${namespace}/secrets`, {
        body: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'pull' },
          type: 'kubernetes.io/dockerconfigjson',
          data: { '.dockerconfigjson': dockerConfig(registry, 'wrong-password') },
        },
      });
      expect(wrong.status).toBe(201);
      await tag(namespace, 'app:v1', `${registry.host}/private/app:v1`, { generation: 0 });
      expect((await statusOf(namespace, 'app', 'v1'))?.conditions?.[0]).toMatchObject({
        reason: 'Unauthorized',
        message: expect.stringContaining('incorrect username or password'),
      });

      const secret = registry.user?.password ?? '';
      const replaced = await api.call('PUT', `/api/v1/namespaces/${namespace}/secrets/pull`, {
        body: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'pull' },
          type: 'kubernetes.io/dockerconfigjson',
          data: { '.dockerconfigjson': dockerConfig(registry, secret) },
        },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.json).toEqual({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'pull',
          namespace,
          creationTimestamp: expect.any(String),
          annotations: { 'imagestreams.dev/registries': registry.host },
        },
        type: 'kubernetes.io/dockerconfigjson',
      });
      const response = await tag(namespace, 'app:v1', `${registry.host}/private/app:v1`, { generation: 0 });
      expect(response.json.image.metadata.name).toBe(pushed.digest);

      const everything = [
        (await api.call('GET', `/api/v1/namespaces/${namespace}/secrets`)).text,
        (await api.call('GET', `/api/v1/namespaces/${namespace}/secrets/pull`)).text,
        (await api.call('GET', `/apis/image.openshift.io/v1/namespaces/${namespace}/imagestreams/app`)).text,
        stdout.chunks.join(''),
      ].join('\n');
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(Buffer.from(`${registry.user?.username}:${secret}`).toString('base64'));
      const stored = JSON.stringify(await api.stores.secrets.listSecrets(namespace));
      expect(stored).not.toContain(secret);
    },
  );

  it.each([
    [
      'a type the service does not hold',
      { metadata: { name: 's' }, type: 'kubernetes.io/basic-auth', data: {} },
      'type',
    ],
    ['an Opaque value that is not base64', { metadata: { name: 's' }, data: { token: '{not base64}' } }, 'data[token]'],
    [
      'no docker config',
      { metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: {} },
      'data[.dockerconfigjson]',
    ],
    [
      'a config that is not base64',
      {
        metadata: { name: 's' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': '{not base64}' },
      },
      'data[.dockerconfigjson]',
    ],
    [
      'a config without auths',
      {
        metadata: { name: 's' },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': '{"x":1}' },
      },
      'data[.dockerconfigjson]',
    ],
    [
      'an entry without a password',
      {
        metadata: { name: 's' },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': '{"auths":{"quay.io":{"username":"u"}}}' },
      },
      'data[.dockerconfigjson]',
    ],
    [
      'a bad name',
      {
        metadata: { name: 'Bad_Name' },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': '{"auths":{}}' },
      },
      'metadata.name',
    ],
  ])('refuses a secret with %s and stores nothing', async (_what, body, field) => {
    const response = await api.call('POST', '/api/v1/namespaces/creds-bad/secrets', { body });
    expect(response.status).toBe(422);
    expect(response.json.details.causes.map((c: { field: string }) => c.field)).toContain(field);
    expect((await api.call('GET', '/api/v1/namespaces/creds-bad/secrets')).json.items).toEqual([]);
  });

  it('deletes a secret, and refuses a second secret of the same name', async () => {
    const body = {
      metadata: { name: 'dup' },
      type: 'kubernetes.io/dockerconfigjson',
      stringData: { '.dockerconfigjson': '{"auths":{"quay.io":{"username":"u","password":"p"}}}' },
    };
    expect((await api.call('POST', '/api/v1/namespaces/creds-dup/secrets', { body })).status).toBe(201);
    expect((await api.call('POST', '/api/v1/namespaces/creds-dup/secrets', { body })).status).toBe(409);
    expect((await api.call('DELETE', '/api/v1/namespaces/creds-dup/secrets/dup')).status).toBe(200);
    expect((await api.call('GET', '/api/v1/namespaces/creds-dup/secrets/dup')).status).toBe(404);
  });
});

describe('ImageStreamImport', () => {
  it('looks images up without writing anything when import is false', async () => {
    const pushed = await pushImage(open, 'team/dry', 'v1');
    const response = await api.call('POST', '/apis/image.openshift.io/v1/namespaces/dry/imagestreamimports', {
      body: {
        metadata: { name: 'dry' },
        spec: { import: false, images: [{ from: { kind: 'DockerImage', name: `${open.host}/team/dry:v1` } }] },
      },
    });
    expect(response.status).toBe(201);
    expect(response.json.status.images[0]).toMatchObject({
      status: { status: 'Success' },
      tag: 'v1',
      image: { metadata: { name: pushed.digest } },
    });
    expect(response.json.status.import).toBeUndefined();
    expect((await api.call('GET', '/apis/image.openshift.io/v1/namespaces/dry/imagestreams/dry')).status).toBe(404);
    expect(await api.stores.images.getImage(pushed.digest)).toBeUndefined();
  });

  it('imports a repository in OpenShift tag order, up to the bulk limit, and reports the rest', async () => {
    for (const t of ['1.0', '2.0', 'latest', 'dev']) await pushImage(open, 'team/all', t);
    const response = await api.call('POST', '/apis/image.openshift.io/v1/namespaces/all/imagestreamimports', {
      body: {
        metadata: { name: 'all' },
        spec: { import: true, repository: { from: { kind: 'DockerImage', name: `${open.host}/team/all` } } },
      },
    });
    expect(response.status).toBe(201);
    expect(response.json.status.repository.status.status).toBe('Success');
    expect(response.json.status.repository.images.map((i: { tag: string }) => i.tag)).toEqual(['latest', '2.0']);
    expect(response.json.status.repository.additionalTags).toEqual(['1.0', 'dev']);
    expect(response.json.status.import.status.tags.map((t: { tag: string }) => t.tag)).toEqual(['2.0', 'latest']);
  });

  it('reports per-image failures and imports the rest', async () => {
    const response = await api.call('POST', '/apis/image.openshift.io/v1/namespaces/mixed/imagestreamimports', {
      body: {
        metadata: { name: 'mixed' },
        spec: {
          import: true,
          images: [
            { from: { kind: 'DockerImage', name: `${open.host}/team/all:1.0` }, to: { name: 'good' } },
            { from: { kind: 'DockerImage', name: `${open.host}/team/all:nope` }, to: { name: 'bad' } },
          ],
        },
      },
    });
    expect(
      response.json.status.images.map((i: { status: { status: string; reason?: string } }) => [
        i.status.status,
        i.status.reason,
      ]),
    ).toEqual([
      ['Success', undefined],
      ['Failure', 'NotFound'],
    ]);
    const tags = response.json.status.import.status.tags as { tag: string; items: unknown[]; conditions?: unknown[] }[];
    expect(tags.find((t) => t.tag === 'good')?.items).toHaveLength(1);
    expect(tags.find((t) => t.tag === 'bad')?.conditions).toHaveLength(1);
  });

  it.each([
    ['no images and no repository', { metadata: { name: 'x' }, spec: { import: true } }, 'spec'],
    [
      'a source that is not a DockerImage',
      { metadata: { name: 'x' }, spec: { import: true, images: [{ from: { kind: 'ImageStreamTag', name: 'a:b' } }] } },
      'spec.images[0].from.kind',
    ],
    [
      'an invalid pull spec',
      { metadata: { name: 'x' }, spec: { import: true, images: [{ from: { kind: 'DockerImage', name: 'UP/per' } }] } },
      'spec.images[0].from.name',
    ],
    [
      'a target that is not a tag name',
      {
        metadata: { name: 'x' },
        spec: { import: true, images: [{ from: { kind: 'DockerImage', name: 'a/b:1' }, to: { name: '-bad' } }] },
      },
      'spec.images[0].to.name',
    ],
    [
      'a repository with a tag',
      {
        metadata: { name: 'x' },
        spec: { import: true, repository: { from: { kind: 'DockerImage', name: 'quay.io/a/b:1' } } },
      },
      'spec.repository.from.name',
    ],
    [
      'a bad stream name',
      { metadata: { name: 'X' }, spec: { import: true, images: [{ from: { kind: 'DockerImage', name: 'a/b:1' } }] } },
      'metadata.name',
    ],
    [
      'more than 100 images',
      {
        metadata: { name: 'x' },
        spec: {
          import: true,
          images: Array.from({ length: 101 }, (_, i) => ({ from: { kind: 'DockerImage', name: `a/b:${i}` } })),
        },
      },
      'spec.images',
    ],
  ])('refuses %s', async (_what, body, field) => {
    const response = await api.call('POST', '/apis/image.openshift.io/v1/namespaces/refused/imagestreamimports', {
      body,
    });
    expect(response.status).toBe(422);
    expect(response.json.details.causes.map((c: { field: string }) => c.field)).toContain(field);
    expect((await api.call('GET', '/apis/image.openshift.io/v1/namespaces/refused/imagestreams')).json.items).toEqual(
      [],
    );
  });
});

describe('pull-spec validation at write time', () => {
  const badSpecs: [string, string, RegExp][] = [
    ['a port above 65535', '127.0.0.1:99999/x:1', /port 99999 is out of range/],
    ['port 0', 'quay.io:0/team/app:v1', /port 0 is out of range/],
    ['a 150 KB digest', `quay.io/team/app@sha256:${'a'.repeat(150_000)}`, /64 lowercase hexadecimal characters/],
    ['a short sha512 digest', `quay.io/team/app@sha512:${'a'.repeat(64)}`, /128 lowercase hexadecimal characters/],
    ['an unknown digest algorithm', `quay.io/team/app@md5:${'a'.repeat(32)}`, /unsupported digest algorithm "md5"/],
  ];
  const refused = async (response: { status: number; json: any }, field: string, message: RegExp) => {
    expect(response.status).toBe(422);
    expect(response.json.reason).toBe('Invalid');
    const cause = response.json.details.causes.find((c: { field: string }) => c.field === field);
    expect(cause?.message).toMatch(message);
  };

  it.each(badSpecs)('refuses a tag whose source has %s (PUT imagestreamtags)', async (_what, from, message) => {
    await refused(await tag('specs-tag', 'app:v1', from), 'tag.from.name', message);
    expect((await api.call('GET', '/apis/image.openshift.io/v1/namespaces/specs-tag/imagestreams')).json.items).toEqual(
      [],
    );
  });

  it.each(badSpecs)('refuses a stream whose spec tag has %s (POST imagestreams)', async (_what, from, message) => {
    const response = await api.call('POST', '/apis/image.openshift.io/v1/namespaces/specs-stream/imagestreams', {
      body: {
        metadata: { name: 'app' },
        spec: { tags: [{ name: 'v1', from: { kind: 'DockerImage', name: from } }] },
      },
    });
    await refused(response, 'spec.tags[0].from.name', message);
    expect(
      (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/specs-stream/imagestreams')).json.items,
    ).toEqual([]);
  });

  it.each(badSpecs)('refuses an import of an image with %s (POST imagestreamimports)', async (_what, from, message) => {
    const response = await api.call('POST', '/apis/image.openshift.io/v1/namespaces/specs-import/imagestreamimports', {
      body: {
        metadata: { name: 'app' },
        spec: { import: true, images: [{ from: { kind: 'DockerImage', name: from }, to: { name: 'v1' } }] },
      },
    });
    await refused(response, 'spec.images[0].from.name', message);
    expect(
      (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/specs-import/imagestreams')).json.items,
    ).toEqual([]);
  });
});
