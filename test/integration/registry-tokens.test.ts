import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../core/access/roles.ts';
import { LocalRegistryTokens } from '../../core/adapters/registry-tokens/local-registry-tokens.ts';
import { ensureRegistryTokenKey } from '../../functions/local/registry-token-key.ts';
import { type ApiUnderTest, startApi, tokens } from '../support/api-under-test.ts';
import { namespacedPath } from '../support/kube-paths.ts';
import { captureStdout } from '../support/printed.ts';
import { pushImage } from '../support/push-image.ts';
import { freePort, type RunningRegistry, startRegistry } from '../support/registry.ts';

// The registry's token issuer and service, written out by hand as local mode configures them.
const service = 'imagestreams-registry';
const issuer = 'imagestreams';

let dir: string;
let api: ApiUnderTest;
let registry: RunningRegistry;
let source: RunningRegistry;
let keyFile: string;
let caFile: string;
let stdout: ReturnType<typeof captureStdout>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imagestreams-registry-tokens-'));
  const key = await ensureRegistryTokenKey(dir);
  keyFile = key.keyFile;
  const registryPort = await freePort();
  const apiPort = await freePort();
  source = await startRegistry();
  api = await startApi(
    {
      IMAGESTREAMS_REGISTRY: `127.0.0.1:${registryPort}`,
      IMAGESTREAMS_REGISTRY_TOKEN_KEY: key.keyFile,
      // The registries are plain HTTP; the token realm is this service, on loopback over HTTPS with its own CA:
      // as npm start does, its address is listed so that the service reaches its own realm.
      IMAGESTREAMS_INSECURE_REGISTRIES: `127.0.0.1:${registryPort},${source.host},127.0.0.1:${apiPort}`,
      IMAGESTREAMS_AUDIT_LOG: 'true',
    },
    undefined,
    apiPort,
  );
  caFile = join(dir, 'ca.crt');
  await writeFile(caFile, api.ca);
  registry = await startRegistry(
    { kind: 'realm', serviceUrl: api.url, rootCertFile: key.certFile },
    undefined,
    registryPort,
  );
  await pushImage(source, 'src/app', 'v1');
  await pushImage(source, 'src/app', 'v2');
  stdout = captureStdout(/"message":"audit"/);

  const admin = (method: string, path: string, body?: unknown) =>
    api.call(method, path, { token: tokens.admin, ...(body ? { body } : {}) });
  for (const ns of ['demo', 'other']) {
    expect((await admin('POST', '/api/v1/namespaces', { metadata: { name: ns } })).status).toBe(201);
    for (const name of ['python', 'app'])
      expect((await admin('POST', namespacedPath(ns, 'imagestreams'), { metadata: { name } })).status).toBe(201);
  }
  const bind = (name: string, role: Role, kind: 'User' | 'Group', subject: string) =>
    admin('POST', namespacedPath('demo', 'rolebindings'), {
      metadata: { name },
      roleRef: { name: role },
      subjects: [{ kind, name: subject }],
    });
  await bind('pullers', 'image-puller', 'Group', 'ci');
  await bind('viewers', 'view', 'User', 'viewer');
  await bind('editors', 'edit', 'User', 'editor');
  await bind('owners', 'admin', 'User', 'owner');
}, 60_000);

afterAll(async () => {
  stdout.restore();
  await registry?.stop();
  await source?.stop();
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

const tokenPath = (ns: string) => namespacedPath(ns, 'registrytokens');

async function registryToken(
  token: string,
  ns: string,
  access: 'pull' | 'push',
  imageStreams: string[],
): Promise<{ username: string; password: string }> {
  const response = await api.call('POST', tokenPath(ns), { token, body: { spec: { access, imageStreams } } });
  expect(response.status, response.text).toBe(201);
  return { username: response.json.status.username, password: response.json.status.password };
}

/** skopeo as a user runs it: the registry over plain HTTP, its token realm (this service) over HTTPS with our CA. */
function skopeo(args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'skopeo',
      ['--insecure-policy', ...args],
      { env: { ...process.env, SSL_CERT_FILE: caFile }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ ok: !error, stdout, stderr }),
    );
  });
}

const creds = (c: { username: string; password: string }) => `${c.username}:${c.password}`;
const inspect = (repository: string, c: { username: string; password: string }) =>
  skopeo(['inspect', '--tls-verify=false', '--creds', creds(c), `docker://${registry.host}/${repository}`]);
const copyIn = (from: string, to: string, c: { username: string; password: string }) =>
  skopeo([
    'copy',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    '--dest-creds',
    creds(c),
    `docker://${source.host}/${from}`,
    `docker://${registry.host}/${to}`,
  ]);

/** The claims of a JWT, read without checking it (the registry checks it; these tests read what it grants). */
function claims(jwt: string): { access: { type: string; name: string; actions: string[] }[]; exp: number } {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

async function realm(scopes: string[], authorization?: string) {
  const query = new URLSearchParams([['service', service], ...scopes.map((s): [string, string] => ['scope', s])]);
  return api.call('GET', `/registry/token?${query}`, {
    token: null,
    ...(authorization ? { headers: { authorization } } : {}),
  });
}
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('registrytokens with the local registry', () => {
  it('answers a push token that pushes to the stream, and a pull token that pulls it but not another namespace', async () => {
    const push = await registryToken(tokens.editor, 'demo', 'push', ['python']);
    expect(push.username).toBe('imagestreams');
    const pushed = await copyIn('src/app:v1', 'demo/python:v1', push);
    expect(pushed.ok, pushed.stderr).toBe(true);
    const adminPush = await registryToken(tokens.admin, 'other', 'push', ['python']);
    expect((await copyIn('src/app:v1', 'other/python:v1', adminPush)).ok).toBe(true);

    const pull = await registryToken(tokens.puller, 'demo', 'pull', ['python']);
    const mine = await inspect('demo/python:v1', pull);
    expect(mine.ok, mine.stderr).toBe(true);
    expect(JSON.parse(mine.stdout).Digest).toMatch(/^sha256:/);
    const theirs = await inspect('other/python:v1', pull);
    expect(theirs.ok).toBe(false);
    expect(theirs.stderr).toMatch(/unauthorized|denied|authentication required/i);
  });

  it('refuses a push with a pull token, and pushes nothing', async () => {
    const pull = await registryToken(tokens.viewer, 'demo', 'pull', ['python']);
    const pushed = await copyIn('src/app:v2', 'demo/python:v2', pull);
    expect(pushed.ok).toBe(false);
    expect(pushed.stderr).toMatch(/unauthorized|denied|authentication required/i);
    const admin = await registryToken(tokens.admin, 'demo', 'pull', ['python']);
    expect((await inspect('demo/python:v2', admin)).ok).toBe(false);
  });

  it('takes an API token as the password, with any user name, and grants what its roles allow', async () => {
    const viewer = { username: 'whoever', password: tokens.viewer };
    expect((await inspect('demo/python:v1', viewer)).ok).toBe(true);
    expect((await inspect('other/python:v1', viewer)).ok).toBe(false);
    expect((await copyIn('src/app:v2', 'demo/python:v2', viewer)).ok).toBe(false);
    const editor = { username: 'ci', password: tokens.editor };
    const pushed = await copyIn('src/app:v2', 'demo/app:v2', editor);
    expect(pushed.ok, pushed.stderr).toBe(true);
  });

  it('lets an API token push only to repositories of existing streams', async () => {
    const editor = { username: 'me', password: tokens.editor };
    const refused = await copyIn('src/app:v1', 'demo/nostream:v1', editor);
    expect(refused.ok).toBe(false);
    const pushed = await copyIn('src/app:v1', 'demo/python:v1', editor);
    expect(pushed.ok, pushed.stderr).toBe(true);
  });

  it("stops granting a push token's push once its stream is deleted", async () => {
    const streamPath = namespacedPath('demo', 'imagestreams');
    expect(
      (await api.call('POST', streamPath, { token: tokens.admin, body: { metadata: { name: 'gone' } } })).status,
    ).toBe(201);
    const push = await registryToken(tokens.editor, 'demo', 'push', ['gone']);
    const ask = async () =>
      claims((await realm(['repository:demo/gone:pull,push'], basic(push.username, push.password))).json.token).access;
    expect(await ask()).toEqual([{ type: 'repository', name: 'demo/gone', actions: ['pull', 'push'] }]);
    expect((await api.call('DELETE', `${streamPath}/gone`, { token: tokens.admin })).status).toBe(200);
    expect(await ask()).toEqual([{ type: 'repository', name: 'demo/gone', actions: ['pull'] }]);
  });

  it('refuses garbage, expired and altered credentials', async () => {
    expect((await inspect('demo/python:v1', { username: 'x', password: 'garbage' })).ok).toBe(false);
    // A password the service signed with its key, an hour and a half ago, for an hour.
    const past = new LocalRegistryTokens({
      pem: await readFile(keyFile, 'utf8'),
      issuer,
      service,
      loginSeconds: 3600,
      clock: { now: () => new Date(Date.now() - 90 * 60 * 1000) },
    });
    const expired = await past.issue({ namespace: 'demo', streams: ['python'], access: 'pull' }, 'viewer');
    expect((await inspect('demo/python:v1', expired)).ok).toBe(false);
    expect((await realm(['repository:demo/python:pull'], basic('x', expired.password))).status).toBe(401);
    // A pull password edited to claim push: its signature no longer matches.
    const pull = await registryToken(tokens.viewer, 'demo', 'pull', ['python']);
    const [header, payload, signature] = pull.password.split('.');
    const body = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
    body.grant.access = 'push';
    const forged = `${header}.${Buffer.from(JSON.stringify(body)).toString('base64url')}.${signature}`;
    const answer = await realm(['repository:demo/python:pull,push'], basic('x', forged));
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ kind: 'Status', code: 401 });
  });

  it('grants the intersection of the scopes asked for and the credentials, and nothing to anonymous callers', async () => {
    const pull = await registryToken(tokens.viewer, 'demo', 'pull', ['python']);
    const answer = await realm(
      ['repository:demo/python:pull,push', 'repository:demo/app:pull', 'repository:other/python:pull'],
      basic('x', pull.password),
    );
    expect(answer.status).toBe(200);
    expect(claims(answer.json.token).access).toEqual([{ type: 'repository', name: 'demo/python', actions: ['pull'] }]);
    expect(claims(answer.json.token).exp * 1000).toBeLessThanOrEqual(Date.now() + 300_000);
    const anonymous = await realm(['repository:demo/python:pull']);
    expect(anonymous.status).toBe(200);
    expect(claims(anonymous.json.token).access).toEqual([]);
    const byRole = await realm(
      ['repository:demo/python:pull,push', 'repository:demo/app:pull'],
      basic('x', tokens.editor),
    );
    expect(claims(byRole.json.token).access).toEqual([
      { type: 'repository', name: 'demo/python', actions: ['pull', 'push'] },
      { type: 'repository', name: 'demo/app', actions: ['pull'] },
    ]);
  });

  it('imports from its own registry with its own credentials', async () => {
    const response = await api.call('PUT', namespacedPath('demo', 'imagestreamtags/app:copy'), {
      token: tokens.editor,
      body: {
        tag: { name: 'copy', from: { kind: 'DockerImage', name: `${registry.host}/demo/python:v1` } },
      },
    });
    expect(response.status, response.text).toBeLessThan(300);
    const tag = await api.call('GET', namespacedPath('demo', 'imagestreamtags/app:copy'), { token: tokens.editor });
    expect(tag.status, tag.text).toBe(200);
    expect(tag.json.image.metadata.name).toMatch(/^sha256:/);
  });

  it("never imports another namespace's repository of its registry with its own credentials", async () => {
    // An image only namespace other's users may pull.
    const pushed = await copyIn('src/app:v1', 'other/python:v1', { username: 'admin', password: tokens.admin });
    expect(pushed.ok, pushed.stderr).toBe(true);
    const from = { kind: 'DockerImage', name: `${registry.host}/other/python:v1` };
    const put = await api.call('PUT', namespacedPath('demo', 'imagestreamtags/app:stolen'), {
      token: tokens.editor,
      body: { tag: { name: 'stolen', from, referencePolicy: { type: 'Local' } } },
    });
    expect(put.status, put.text).toBeLessThan(300);
    const stream = await api.call('GET', namespacedPath('demo', 'imagestreams/app'), { token: tokens.editor });
    const tag = stream.json.status.tags.find((t: { tag: string }) => t.tag === 'stolen');
    expect(tag.items).toEqual([]);
    expect(tag.conditions[0]).toMatchObject({ reason: 'Forbidden', status: 'False' });
    expect(tag.conditions[0].message).toMatch(/not the repository of an image stream in namespace demo/);
    // Nor does a dry run tell what it holds.
    const dryRun = await api.call('POST', namespacedPath('demo', 'imagestreamimports'), {
      token: tokens.editor,
      body: { metadata: { name: 'app' }, spec: { import: false, images: [{ from }] } },
    });
    expect(dryRun.status, dryRun.text).toBeLessThan(300);
    expect(dryRun.json.status.images[0].status).toMatchObject({ status: 'Failure', reason: 'Forbidden' });
    expect(dryRun.json.status.images[0].image).toBeUndefined();
    // Nor a bulk import its tag names.
    const bulk = await api.call('POST', namespacedPath('demo', 'imagestreamimports'), {
      token: tokens.editor,
      body: {
        metadata: { name: 'app' },
        spec: { import: false, repository: { from: { kind: 'DockerImage', name: `${registry.host}/other/python` } } },
      },
    });
    expect(bulk.status, bulk.text).toBeLessThan(300);
    expect(bulk.json.status.repository.status).toMatchObject({ status: 'Failure', reason: 'Forbidden' });
    expect(bulk.json.status.repository.images ?? []).toEqual([]);
  });

  it('copies a Local tag into its own registry with its own credentials', async () => {
    const image = await pushImage(source, 'src/tool', 'v1');
    const put = await api.call('PUT', namespacedPath('demo', 'imagestreamtags/app:tool'), {
      token: tokens.editor,
      body: {
        tag: {
          name: 'tool',
          from: { kind: 'DockerImage', name: `${source.host}/src/tool:v1` },
          referencePolicy: { type: 'Local' },
        },
      },
    });
    expect(put.status, put.text).toBeLessThan(300);
    const stream = await api.call('GET', namespacedPath('demo', 'imagestreams/app'), { token: tokens.editor });
    const tag = stream.json.status.tags.find((t: { tag: string }) => t.tag === 'tool');
    expect(tag.conditions).toBeUndefined();
    expect(tag.items[0].dockerImageReference).toBe(`${registry.host}/demo/app@${image.digest}`);
    const pull = await registryToken(tokens.puller, 'demo', 'pull', ['app']);
    const pulled = await inspect(`demo/app@${image.digest}`, pull);
    expect(pulled.ok, pulled.stderr).toBe(true);
  });

  it('never logs a password', async () => {
    const before = stdout.chunks.length;
    const push = await registryToken(tokens.editor, 'demo', 'push', ['python']);
    const written = stdout.chunks.slice(before).join('');
    expect(written).toContain('registrytokens');
    expect(written).not.toContain(push.password);
  });
});

describe('registrytokens: who may ask for what', () => {
  // Written out by hand from the issue: pull needs image-puller or view, push needs edit.
  // biome-ignore format: the table is easier to review aligned
  const expected: Record<string, string> = {
    //      none puller viewer editor owner stranger admin
    pull: '-    Y      Y      Y      Y     -        Y',
    push: '-    -      -      Y      Y     -        Y',
  };
  const columns = ['none', 'puller', 'viewer', 'editor', 'owner', 'stranger', 'admin'] as const;
  for (const access of ['pull', 'push'] as const) {
    for (const who of columns) {
      const allowed = expected[access]?.split(/\s+/)[columns.indexOf(who)] === 'Y';
      it(`${access} as ${who}: ${allowed ? 'allowed' : 'denied'}`, async () => {
        const response = await api.call('POST', tokenPath('demo'), {
          token: tokens[who],
          body: { spec: { access, imageStreams: ['python'] } },
        });
        if (allowed) {
          expect(response.status).toBe(201);
          expect(response.json).toMatchObject({
            apiVersion: 'imagestreams.dev/v1',
            kind: 'RegistryToken',
            spec: { access, imageStreams: ['python'] },
            status: { registry: registry.host, username: 'imagestreams' },
          });
          expect(Date.parse(response.json.status.expirationTimestamp)).toBeGreaterThan(Date.now());
        } else {
          expect(response.status).toBe(403);
          expect(response.json).toMatchObject({ kind: 'Status', reason: 'Forbidden' });
        }
      });
    }
  }

  it('names the role a push needs', async () => {
    const response = await api.call('POST', tokenPath('demo'), {
      token: tokens.viewer,
      body: { spec: { access: 'push', imageStreams: ['python'] } },
    });
    expect(response.json.message).toBe(
      'user "viewer" cannot update imagestreams/layers in namespace "demo": it needs the role edit',
    );
  });
});

describe('registrytokens: bad requests', () => {
  it.each([
    ['an unknown access', { spec: { access: 'admin', imageStreams: ['python'] } }, 'spec.access'],
    ['no streams', { spec: { access: 'pull', imageStreams: [] } }, 'spec.imageStreams'],
    [
      'too many streams',
      { spec: { access: 'pull', imageStreams: Array.from({ length: 21 }, (_, i) => `s${i}`) } },
      'spec.imageStreams',
    ],
    ['an invalid stream name', { spec: { access: 'pull', imageStreams: ['Python!'] } }, 'spec.imageStreams[0]'],
    ['a stream named twice', { spec: { access: 'pull', imageStreams: ['python', 'python'] } }, 'spec.imageStreams[1]'],
    ['no spec', {}, 'spec'],
    [
      'an unknown field',
      { spec: { access: 'pull', imageStreams: ['python'], repositories: ['x'] } },
      'spec.repositories',
    ],
  ])('answers 422 for %s', async (_what, body, field) => {
    const response = await api.call('POST', tokenPath('demo'), { token: tokens.editor, body });
    expect(response.status).toBe(422);
    expect(response.json).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
    expect(response.json.details.causes.map((c: { field: string }) => c.field)).toContain(field);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await api.call('POST', tokenPath('demo'), {
      token: tokens.editor,
      raw: '{"spec":',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
  });

  it("answers 400 for a body naming another namespace than the URL's", async () => {
    const response = await api.call('POST', tokenPath('demo'), {
      token: tokens.editor,
      body: { metadata: { namespace: 'other' }, spec: { access: 'pull', imageStreams: ['python'] } },
    });
    expect(response.status, response.text).toBe(400);
    expect(response.json.message).toMatch(/namespace of the provided object does not match/);
  });

  it('answers 404 naming a stream that does not exist', async () => {
    const response = await api.call('POST', tokenPath('demo'), {
      token: tokens.editor,
      body: { spec: { access: 'push', imageStreams: ['python', 'ghost'] } },
    });
    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ kind: 'Status', reason: 'NotFound', details: { name: 'ghost' } });
  });
});

describe('registrytokens without an integrated registry', () => {
  it('says the integrated registry is off, for the API and the token realm', async () => {
    const off = await startApi();
    try {
      await off.call('POST', '/api/v1/namespaces', { token: tokens.admin, body: { metadata: { name: 'demo' } } });
      const response = await off.call('POST', tokenPath('demo'), {
        token: tokens.admin,
        body: { spec: { access: 'pull', imageStreams: ['python'] } },
      });
      expect(response.status).toBe(404);
      expect(response.json).toMatchObject({ kind: 'Status', reason: 'NotFound' });
      expect(response.json.message).toMatch(/integrated registry is off.*IMAGESTREAMS_REGISTRY/);
      const token = await off.call('GET', '/registry/token?scope=repository:demo/python:pull', { token: null });
      expect(token.status).toBe(404);
      expect(token.json.message).toMatch(/integrated registry is off/);
    } finally {
      await off.close();
    }
  });
});
