import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const children: ChildProcess[] = [];
let dataDir = '';

/** Runs `npm start`'s entry point as its own process, as a user would, and waits until it listens. */
async function startService(
  env: Record<string, string>,
): Promise<{ url: string; output: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, ['functions/local/start.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${output}`)), 20_000);
    child.stdout?.on('data', () => {
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', () => reject(new Error(`service exited:\n${output}`)));
  });
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('local mode (npm start)', () => {
  it('creates an admin token, serves the API, and finds everything as it was after a restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'imagestreams-local-'));
    const first = await startService({ IMAGESTREAMS_DATA_DIR: dataDir });
    const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
    expect(first.output()).toContain(token);
    expect((await stat(join(dataDir, 'admin-token'))).mode & 0o777).toBe(0o600);

    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const put = await fetch(`${first.url}/v1/namespaces/demo/imagestreamtags/python:3.12`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({
        tag: { name: '3.12', reference: true, from: { kind: 'DockerImage', name: 'docker.io/library/python:3.12' } },
      }),
    });
    expect(put.status).toBe(200);
    await expect
      .poll(() => first.output())
      .toContain('event ImageStreamTag Changed: {"namespace":"demo","imageStream":"python","tag":"3.12"');
    const before = await (await fetch(`${first.url}/v1/namespaces/demo/imagestreams/python`, { headers })).json();
    expect(await first.stop()).toBe(0);

    const second = await startService({ IMAGESTREAMS_DATA_DIR: dataDir });
    expect(second.output()).not.toContain('new,');
    const after = (await (await fetch(`${second.url}/v1/namespaces/demo/imagestreams/python`, { headers })).json()) as {
      status: { tags: { items: { dockerImageReference: string }[] }[] };
    };
    expect(after).toEqual(before);
    expect(after.status.tags[0]?.items[0]?.dockerImageReference).toBe('docker.io/library/python:3.12');
    await second.stop();
  });

  it('takes principals from a tokens file and refuses a malformed one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-tokens-'));
    try {
      const file = join(dir, 'tokens.json');
      await writeFile(file, JSON.stringify({ 'bob-token-0123456789': { user: 'bob', groups: ['team-b'] } }));
      const service = await startService({ IMAGESTREAMS_DATA_DIR: join(dir, 'data'), IMAGESTREAMS_TOKENS_FILE: file });
      // bob is known but holds no role in demo: authenticated, then refused with what is missing.
      const refused = await fetch(`${service.url}/v1/namespaces/demo/imagestreams`, {
        headers: { authorization: 'Bearer bob-token-0123456789' },
      });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { message: string }).message).toContain('needs the role view');
      const denied = await fetch(`${service.url}/v1/namespaces/demo/imagestreams`, {
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
