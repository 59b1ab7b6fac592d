import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { startApi, tokens } from '../support/api-under-test.ts';
import { kubectlFor } from '../support/kubectl.ts';
import { pushImage } from '../support/push-image.ts';
import { freePort, type RunningRegistry, startRegistry } from '../support/registry.ts';

const root = new URL('../..', import.meta.url).pathname;
const children: ChildProcess[] = [];
let dataDir = '';

/** Runs `npm start`'s entry point as its own process, as a user would, and waits until it listens. */
async function startService(env: Record<string, string>): Promise<{
  url: string;
  output: () => string;
  /** fetch that trusts the CA in the service's data folder, as the kubeconfig it wrote does. */
  fetch: (
    path: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
  ) => ReturnType<typeof fetch>;
  /** The service's own lines: the logger's JSON on stdout, one per line, as in Lambda. */
  logLines: () => any[];
  stop: () => Promise<number | null>;
}> {
  const child = spawn(process.execPath, ['functions/local/start.ts'], {
    cwd: root,
    // The integrated registry is off unless a test is about it: its default port is one for all.
    env: { ...process.env, PORT: '0', IMAGESTREAMS_LOCAL_REGISTRY: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  let stdout = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${output}`)), 20_000);
    child.stderr?.on('data', () => {
      const match = /listening on (https:\/\/[\d.]+:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', () => reject(new Error(`service exited:\n${output}`)));
  });
  const dataDir = env.IMAGESTREAMS_DATA_DIR ?? '';
  const dispatcher = new Agent({ connect: { ca: await readFile(join(dataDir, 'ca.crt'), 'utf8') } });
  return {
    url,
    output: () => output,
    fetch: (path, init = {}) => fetch(url + path, { ...init, dispatcher }),
    logLines: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line)),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => void dispatcher.close().then(() => resolve(code)));
        child.kill('SIGTERM');
      }),
  };
}

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('local mode (npm start)', () => {
  it('creates an admin token, serves the API over HTTPS, and finds everything as it was after a restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'imagestreams-local-'));
    const first = await startService({ IMAGESTREAMS_DATA_DIR: dataDir });
    const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
    expect(first.output()).toContain(token);
    for (const secret of ['admin-token', 'ca.key', 'server.key', 'kubeconfig'])
      expect(await mode(join(dataDir, secret)), secret).toBe(0o600);
    expect(first.output()).toContain(`export KUBECONFIG=${join(dataDir, 'kubeconfig')}\n`);
    const ca = await readFile(join(dataDir, 'ca.crt'), 'utf8');

    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const put = await first.fetch('/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/python:3.12', {
      method: 'PUT',
      headers,
      body: JSON.stringify({
        tag: { name: '3.12', reference: true, from: { kind: 'DockerImage', name: 'docker.io/library/python:3.12' } },
      }),
    });
    expect(put.status).toBe(200);
    await expect
      .poll(() => first.logLines().find((line) => line.message === 'event published'))
      .toMatchObject({
        level: 'INFO',
        service: 'imagestreams',
        detailType: 'ImageStreamTag Changed',
        detail: { namespace: 'demo', imageStream: 'python', tag: '3.12' },
      });
    const before = await (
      await first.fetch('/apis/image.openshift.io/v1/namespaces/demo/imagestreams/python', { headers })
    ).json();
    expect(await first.stop()).toBe(0);

    const second = await startService({ IMAGESTREAMS_DATA_DIR: dataDir });
    expect(second.output()).not.toContain('new,');
    expect(second.output()).not.toContain('new local certificate authority');
    // The same CA, so a kubeconfig or trust store set up once keeps working.
    expect(await readFile(join(dataDir, 'ca.crt'), 'utf8')).toBe(ca);
    const after = (await (
      await second.fetch('/apis/image.openshift.io/v1/namespaces/demo/imagestreams/python', { headers })
    ).json()) as {
      status: { tags: { items: { dockerImageReference: string }[] }[] };
    };
    expect(after).toEqual(before);
    expect(after.status.tags[0]?.items[0]?.dockerImageReference).toBe('docker.io/library/python:3.12');

    // The kubeconfig it wrote, unchanged, is all kubectl needs: this start's port, the CA, the token.
    const kubectl = await kubectlFor({ kubeconfig: join(dataDir, 'kubeconfig') });
    try {
      const got = await kubectl.run([
        'get',
        '--raw',
        '/apis/image.openshift.io/v1/namespaces/demo/imagestreams/python',
      ]);
      expect(got.stderr).toBe('');
      expect(JSON.parse(got.stdout)).toEqual(before);
      const context = await kubectl.run([
        'config',
        'view',
        '--minify',
        '-o',
        'jsonpath={.contexts[0].context.namespace} {.clusters[0].cluster.server}',
      ]);
      expect(context.stdout).toBe(`default ${second.url}`);
    } finally {
      await kubectl.close();
    }
    await second.stop();
  });

  it('takes principals from a tokens file and refuses a malformed one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-tokens-'));
    try {
      const file = join(dir, 'tokens.json');
      await writeFile(file, JSON.stringify({ 'bob-token-0123456789': { user: 'bob', groups: ['team-b'] } }));
      const service = await startService({ IMAGESTREAMS_DATA_DIR: join(dir, 'data'), IMAGESTREAMS_TOKENS_FILE: file });
      expect(service.output()).toContain('add --token=<yours> to kubectl');
      // bob is known but holds no role in demo: authenticated, then refused with what is missing.
      const refused = await service.fetch('/apis/image.openshift.io/v1/namespaces/demo/imagestreams', {
        headers: { authorization: 'Bearer bob-token-0123456789' },
      });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { message: string }).message).toContain('needs the role view');
      const denied = await service.fetch('/apis/image.openshift.io/v1/namespaces/demo/imagestreams', {
        headers: { authorization: 'Bearer nope' },
      });
      expect(denied.status).toBe(401);
      await service.stop();

      await writeFile(file, JSON.stringify({ short: { user: 'x' } }));
      await expect(
        startService({ IMAGESTREAMS_DATA_DIR: join(dir, 'data'), IMAGESTREAMS_TOKENS_FILE: file }),
      ).rejects.toThrow(/at least 16 characters/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('local API gateway', () => {
  it('authenticates the real kubectl by the bearer token it sends over TLS', async () => {
    const api = await startApi();
    const as = (token: string) => kubectlFor({ url: api.url, ca: api.ca, token });
    const [alice, stranger] = await Promise.all([as(tokens.alice), as('not-a-known-token-0123')]);
    try {
      const path = '/apis/image.openshift.io/v1/namespaces/demo/imagestreams';
      const listed = await alice.run(['get', '--raw', path]);
      expect(listed.stderr).toBe('');
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toMatchObject({ kind: 'ImageStreamList', items: [] });
      const refused = await stranger.run(['get', '--raw', path]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('You must be logged in to the server (Unauthorized)');
    } finally {
      await Promise.all([alice.close(), stranger.close(), api.close()]);
    }
  });

  it('answers a body over 10 MB with a Kubernetes Status 413 before reading it all, and closes cleanly', async () => {
    const api = await startApi();
    try {
      const status = {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'RequestEntityTooLarge',
        code: 413,
      };
      // Declared too large: answered from the headers.
      const declared = await fetch(`${api.url}/apis/image.openshift.io/v1/namespaces/demo/imagestreams`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' },
        body: Buffer.alloc(11 * 1024 * 1024, 0x20),
        dispatcher: api.dispatcher,
      });
      expect(declared.status).toBe(413);
      expect(declared.headers.get('connection')).toBe('close');
      expect(await declared.json()).toMatchObject(status);

      // Chunked and endless: answered once past the limit, though the body never ends.
      let sent = 0;
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += 64 * 1024;
          controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
        },
      });
      const streamed = await fetch(`${api.url}/apis/image.openshift.io/v1/namespaces/demo/imagestreams`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' },
        body: endless,
        duplex: 'half',
        dispatcher: api.dispatcher,
      });
      expect(streamed.status).toBe(413);
      expect(await streamed.json()).toMatchObject(status);
      expect(sent).toBeGreaterThan(10 * 1024 * 1024);

      // And the real kubectl reads it as the Status it is.
      const kubectl = await kubectlFor({ url: api.url, ca: api.ca, token: tokens.alice });
      try {
        const big = `{"kind":"ImageStream","apiVersion":"image.openshift.io/v1","metadata":{"name":"big","annotations":{"a":"${'x'.repeat(11 * 1024 * 1024)}"}}}`;
        const refused = await kubectl.run(
          ['create', '--raw', '/apis/image.openshift.io/v1/namespaces/demo/imagestreams', '-f', '-'],
          {
            input: big,
          },
        );
        expect(refused.stderr).toContain('Error from server (RequestEntityTooLarge)');
      } finally {
        await kubectl.close();
      }
      expect((await api.call('GET', '/apis/image.openshift.io/v1/namespaces/demo/imagestreams')).status).toBe(200);
    } finally {
      await api.close();
    }
  });
});

let source: RunningRegistry | undefined;
afterAll(async () => {
  await source?.stop();
});

/** skopeo as a user runs it, trusting the service's local CA (its token realm is HTTPS). */
function skopeo(args: string[], caFile: string): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'skopeo',
      ['--insecure-policy', ...args],
      { env: { ...process.env, SSL_CERT_FILE: caFile }, timeout: 60_000 },
      (error, _stdout, stderr) => resolve({ ok: !error, stderr }),
    );
  });
}

describe('the integrated registry (npm start)', () => {
  it('runs the CNCF registry as the integrated registry: a push to a stream repository moves the tag', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-registry-'));
    try {
      const port = await freePort();
      const host = `127.0.0.1:${port}`;
      // A known port: the service reaches its own token realm there (PORT=0 cannot be listed beforehand).
      const service = await startService({
        IMAGESTREAMS_DATA_DIR: dir,
        IMAGESTREAMS_LOCAL_REGISTRY: 'on',
        IMAGESTREAMS_LOCAL_REGISTRY_PORT: String(port),
        PORT: String(await freePort()),
      });
      expect(service.output()).toContain(`integrated registry on ${host}`);
      const token = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const streams = '/apis/image.openshift.io/v1/namespaces/demo/imagestreams';
      const created = await service.fetch(streams, {
        method: 'POST',
        headers,
        body: JSON.stringify({ metadata: { name: 'web' } }),
      });
      const stream = (await created.json()) as { status: { dockerImageRepository: string } };
      expect(stream.status.dockerImageRepository).toBe(`${host}/demo/web`);

      // Pushed as a user does: skopeo, logged in with an API token as the password (the registry's token
      // realm is the service); without credentials the registry refuses.
      source = await startRegistry();
      await pushImage(source, 'src/web', 'v1');
      const copy = (creds: string[]) =>
        skopeo(
          [
            'copy',
            '--src-tls-verify=false',
            '--dest-tls-verify=false',
            ...creds,
            `docker://${source?.host}/src/web:v1`,
            `docker://${host}/demo/web:v1`,
          ],
          join(dir, 'ca.crt'),
        );
      expect((await copy([])).ok).toBe(false);
      const copied = await copy(['--dest-creds', `anyone:${token}`, '--digestfile', join(dir, 'pushed.digest')]);
      expect(copied.ok, copied.stderr).toBe(true);
      // The digest of what arrived (skopeo writes the manifest anew).
      const pushed = { digest: (await readFile(join(dir, 'pushed.digest'), 'utf8')).trim() };
      await expect
        .poll(
          async () =>
            ((await (await service.fetch(`${streams}/web`, { headers })).json()) as any).status.tags[0]?.items[0],
          { timeout: 15_000, interval: 100 },
        )
        .toMatchObject({ image: pushed.digest, dockerImageReference: `${host}/demo/web@${pushed.digest}` });
      expect(await service.stop()).toBe(0);
      // The registry stopped with the service.
      await expect(fetch(`http://${host}/v2/`)).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leaves the integrated registry wholly off when docker-registry fails to start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-brokenregistry-'));
    try {
      // A broken installation: a docker-registry that exits at once.
      await mkdir(join(dir, 'bin'));
      await writeFile(join(dir, 'bin', 'docker-registry'), '#!/bin/sh\necho "cannot start" >&2\nexit 1\n', {
        mode: 0o755,
      });
      const service = await startService({
        IMAGESTREAMS_DATA_DIR: dir,
        IMAGESTREAMS_LOCAL_REGISTRY: 'on',
        IMAGESTREAMS_LOCAL_REGISTRY_PORT: String(await freePort()),
        PORT: String(await freePort()),
        PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
      });
      expect(service.output()).toContain('integrated registry off:');
      const token = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const created = await service.fetch('/apis/image.openshift.io/v1/namespaces/demo/imagestreams', {
        method: 'POST',
        headers,
        body: JSON.stringify({ metadata: { name: 'web' } }),
      });
      expect(((await created.json()) as any).status.dockerImageRepository).toBe('');
      const registryToken = await service.fetch('/apis/imagestreams.dev/v1/namespaces/demo/registrytokens', {
        method: 'POST',
        headers,
        body: JSON.stringify({ spec: { access: 'pull', imageStreams: ['web'] } }),
      });
      expect(registryToken.status).toBe(404);
      expect(await service.stop()).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says the integrated registry is off, and how to install it, without docker-registry on PATH; and still serves', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-noregistry-'));
    try {
      const service = await startService({
        IMAGESTREAMS_DATA_DIR: dir,
        IMAGESTREAMS_LOCAL_REGISTRY: 'on',
        PATH: join(dir, 'empty-bin'),
      });
      expect(service.output()).toContain('integrated registry off: docker-registry is not installed');
      expect(service.output()).toContain('apt-get install docker-registry');
      const token = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
      const created = await service.fetch('/apis/image.openshift.io/v1/namespaces/demo/imagestreams', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ metadata: { name: 'web' } }),
      });
      expect(created.status).toBe(201);
      expect(((await created.json()) as any).status.dockerImageRepository).toBe('');
      expect(await service.stop()).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
