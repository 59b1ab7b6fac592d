import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sstEquivalentBuild } from '../../functions/lib/bundle-options.ts';

// The undici parts the registry client and webhooks use, bundled as deployed (one HTTP parser kept, the
// others replaced: functions/lib/esbuild-plugins.mjs), still answer a request.
let dir: string;
let server: Server;
let origin: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bundled-undici-'));
  await build({ ...sstEquivalentBuild('core/adapters/http/undici-parts.ts', dir), absWorkingDir: process.cwd() });
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('undici parts as bundled for Lambda', () => {
  it('sends a request through an Agent and reads its answer', async () => {
    const parts = (await import(
      pathToFileURL(join(dir, 'undici-parts.mjs')).href
    )) as typeof import('../../core/adapters/http/undici-parts.ts');
    const agent = new parts.Agent();
    try {
      const response = await parts.request(new URL('/v2/app/manifests/1?x=y', origin), {
        method: 'GET',
        dispatcher: agent,
      });
      expect(response.statusCode).toBe(200);
      expect(await response.body.json()).toEqual({ method: 'GET', url: '/v2/app/manifests/1?x=y' });
    } finally {
      await agent.close();
    }
  });
});
