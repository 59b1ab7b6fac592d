// `npm run bench:soak`: local mode (`npm start`) as its own process, driven by a stream of mixed requests
// over loopback. Memory is read from outside: RSS from /proc/<pid>/status, the V8 heap after a full GC
// through the inspector (so the service needs no debug endpoint). Target: flat within 10% from the end
// of the warm-up to the end of the run. Also p50/p99 latency per route. Stops by itself.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { apiRoutes } from '../functions/lib/routes.ts';
import { pushImage } from '../test/support/push-image.ts';
import { startRegistry } from '../test/support/registry.ts';
import { printTable } from './stats.ts';

const total = Number(process.env.SOAK_REQUESTS ?? 50_000);
const warmup = Number(process.env.SOAK_WARMUP ?? 2_000);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 8);
const streams = Number(process.env.SOAK_STREAMS ?? 20);
const tagsPerStream = Number(process.env.SOAK_TAGS ?? 5);
const deadlineMs = Number(process.env.SOAK_DEADLINE_SECONDS ?? 1800) * 1000;
const namespace = 'soak';

/** A route's path from the route table, so that the soak follows the API's layout. */
function path(operation: string, name?: string): string {
  const route = apiRoutes.find((r) => r.operation === operation);
  if (!route) throw new Error(`no route for ${operation}`);
  return route.path.replace('{namespace}', namespace).replace('{name}', encodeURIComponent(name ?? ''));
}

const root = new URL('..', import.meta.url).pathname;
// Imported tags need a registry: the CNCF registry on loopback, with one image pushed, imported once while
// seeding; the soak itself sends the service no import.
const registry = await startRegistry();
const image = await pushImage(registry, 'soak/app', 'v1');
const dataDir = await mkdtemp(join(tmpdir(), 'imagestreams-soak-'));
const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', 'functions/local/start.ts'], {
  cwd: root,
  env: {
    ...process.env,
    PORT: '0',
    IMAGESTREAMS_DATA_DIR: dataDir,
    IMAGESTREAMS_INSECURE_REGISTRIES: registry.host,
    // The service's own lines would measure the pipe, not the service.
    POWERTOOLS_LOG_LEVEL: 'WARN',
    IMAGESTREAMS_AUDIT_LOG: 'false',
  },
  stdio: ['ignore', 'ignore', 'pipe'],
});
const deadline = setTimeout(() => {
  console.error(`soak: still running after ${deadlineMs / 1000} s, stopping`);
  void stop(child).then(() => process.exit(2));
}, deadlineMs);
deadline.unref();

try {
  const { url, inspector } = await whenListening(child);
  const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
  // Local mode may serve HTTPS with a CA of its own in the data folder.
  const tls = url.startsWith('https:') ? { connect: { ca: await readFile(join(dataDir, 'ca.crt'), 'utf8') } } : {};
  const pool = new Pool(url, { connections: concurrency, pipelining: 1, ...tls });
  const cdp = await connectInspector(inspector);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  // Each stream has imported tags (read) and reference tags (written: a pointer, never imported).
  const tagName = (i: number) => `app-${i % streams}:v${Math.floor(i / streams) % tagsPerStream}`;
  const referenceName = (i: number) => `app-${i % streams}:ref${Math.floor(i / streams) % tagsPerStream}`;
  const importedBody = (tag: string) =>
    JSON.stringify({
      tag: {
        name: tag.split(':')[1],
        from: { kind: 'DockerImage', name: `${registry.host}/soak/app@${image.digest}` },
      },
    });
  const referenceBody = (tag: string, n: number) =>
    JSON.stringify({
      tag: {
        name: tag.split(':')[1],
        reference: true,
        from: { kind: 'DockerImage', name: `quay.io/soak/app:${n % 2 ? 'blue' : 'green'}` },
      },
    });
  // The mix: mostly reads, as a cluster's pullers and dashboards send, with tag writes among them.
  const mix: { route: string; request: (i: number) => { method: 'GET' | 'PUT'; path: string; body?: string } }[] = [
    {
      route: 'GET imagestream',
      request: (i) => ({ method: 'GET', path: path('imagestreams.get', `app-${i % streams}`) }),
    },
    {
      route: 'GET imagestream',
      request: (i) => ({ method: 'GET', path: path('imagestreams.get', `app-${i % streams}`) }),
    },
    { route: 'list imagestreams', request: () => ({ method: 'GET', path: path('imagestreams.list') }) },
    {
      route: 'describe imagestream',
      request: (i) => ({ method: 'GET', path: path('imagestreams/describe.get', `app-${i % streams}`) }),
    },
    { route: 'GET imagestreamtag', request: (i) => ({ method: 'GET', path: path('imagestreamtags.get', tagName(i)) }) },
    { route: 'GET imagestreamtag', request: (i) => ({ method: 'GET', path: path('imagestreamtags.get', tagName(i)) }) },
    {
      route: 'PUT imagestreamtag',
      request: (i) => ({
        method: 'PUT',
        path: path('imagestreamtags.update', referenceName(i)),
        body: referenceBody(referenceName(i), i),
      }),
    },
  ];

  const send = async (request: { method: 'GET' | 'PUT'; path: string; body?: string }) => {
    const response = await pool.request({ ...request, headers });
    await response.body.dump();
    return response.statusCode;
  };

  // Seed every stream and tag, so that the reads find something.
  for (let i = 0; i < streams * tagsPerStream; i++) {
    for (const [name, body] of [
      [tagName(i), importedBody(tagName(i))],
      [referenceName(i), referenceBody(referenceName(i), 0)],
    ] as const) {
      const status = await send({ method: 'PUT', path: path('imagestreamtags.update', name), body });
      if (status !== 200) throw new Error(`seeding ${name} answered ${status}`);
    }
  }
  const probe = await pool.request({ method: 'GET', path: path('imagestreamtags.get', tagName(0)), headers });
  if (probe.statusCode !== 200)
    throw new Error(`an imported tag answers ${probe.statusCode}: ${await probe.body.text()}`);
  await probe.body.dump();

  const latencies = new Map<string, number[]>();
  const failures = new Map<string, number>();
  let next = 0;
  const run = async (count: number, record: boolean, progress?: (done: number) => void) => {
    const end = next + count;
    let done = 0;
    const worker = async () => {
      while (next < end) {
        const i = next++;
        const item = mix[i % mix.length] as (typeof mix)[number];
        const sentAt = performance.now();
        const status = await send(item.request(i));
        const elapsed = performance.now() - sentAt;
        if (!record) continue;
        if (status >= 300) failures.set(`${item.route} ${status}`, (failures.get(`${item.route} ${status}`) ?? 0) + 1);
        const list = latencies.get(item.route) ?? [];
        list.push(elapsed);
        latencies.set(item.route, list);
        done++;
        if (done % 10_000 === 0) progress?.(done);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };

  await run(warmup, false);
  const before = await memory(child, cdp);
  const startedAt = performance.now();
  await run(total, true, async (done) => {
    const rss = await rssOf(child);
    console.error(`soak: ${done} of ${total} requests, RSS ${mib(rss)} MiB`);
  });
  const seconds = (performance.now() - startedAt) / 1000;
  const after = await memory(child, cdp);
  await pool.close();
  cdp.close();

  const rows: string[][] = [['measure', 'start (after warm-up)', 'end', 'change']];
  const change = (a: number, b: number) => `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)}%`;
  rows.push(['RSS (MiB)', mib(before.rss), mib(after.rss), change(before.rss, after.rss)]);
  rows.push([
    'heap used after GC (MiB)',
    mib(before.heapUsed),
    mib(after.heapUsed),
    change(before.heapUsed, after.heapUsed),
  ]);
  rows.push(['', '', '', '']);
  rows.push(['route', 'requests', 'p50 (ms)', 'p99 (ms)']);
  for (const [route, values] of latencies) {
    values.sort((a, b) => a - b);
    rows.push([route, String(values.length), quantile(values, 0.5).toFixed(2), quantile(values, 0.99).toFixed(2)]);
  }
  console.log(
    `local-mode soak: ${total} requests (after ${warmup} of warm-up) at concurrency ${concurrency}, ${(total / seconds).toFixed(0)} requests/s`,
  );
  printTable(rows);
  if (failures.size) console.log(`answers other than 2xx: ${JSON.stringify(Object.fromEntries(failures))}`);
  const flat = after.rss <= before.rss * 1.1 && after.heapUsed <= before.heapUsed * 1.1;
  console.log(flat ? 'memory: flat within 10%' : 'memory: GREW by more than 10%');
} finally {
  await stop(child);
  await registry.stop();
  await rm(dataDir, { recursive: true, force: true });
}

/** Waits for the service's URL (its banner on stderr) and the inspector's WebSocket address. */
function whenListening(service: ChildProcess): Promise<{ url: string; inspector: string }> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`local mode did not start:\n${output}`)), 30_000);
    service.stderr?.on('data', (chunk) => {
      output += chunk;
      const url = /listening on (https?:\/\/[\d.]+:\d+)/.exec(output)?.[1];
      const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
      if (url && inspector) {
        clearTimeout(timer);
        resolve({ url, inspector });
      }
    });
    service.once('exit', (code) => reject(new Error(`local mode exited (${code}):\n${output}`)));
  });
}

interface Inspector {
  send(method: string, params?: Record<string, unknown>): Promise<any>;
  close(): void;
}

/** A minimal Chrome DevTools Protocol client over Node's WebSocket. */
async function connectInspector(address: string): Promise<Inspector> {
  const socket = new WebSocket(address);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  let id = 0;
  const pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (message.id === undefined) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiter?.reject(new Error(message.error.message));
    else waiter?.resolve(message.result);
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const messageId = ++id;
        pending.set(messageId, { resolve, reject });
        socket.send(JSON.stringify({ id: messageId, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** RSS and heap used, after a full GC of the service's heap (twice: the first may leave finalised garbage). */
async function memory(service: ChildProcess, inspector: Inspector): Promise<{ rss: number; heapUsed: number }> {
  await inspector.send('HeapProfiler.collectGarbage');
  await inspector.send('HeapProfiler.collectGarbage');
  const { result } = await inspector.send('Runtime.evaluate', {
    expression: 'process.memoryUsage().heapUsed',
    returnByValue: true,
  });
  return { rss: await rssOf(service), heapUsed: Number(result.value) };
}

async function rssOf(service: ChildProcess): Promise<number> {
  const status = await readFile(`/proc/${service.pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (!kib) throw new Error('no VmRSS in /proc status');
  return Number(kib) * 1024;
}

function stop(service: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (service.exitCode !== null || service.signalCode !== null) return resolve();
    const force = setTimeout(() => service.kill('SIGKILL'), 10_000);
    service.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    service.kill('SIGTERM');
  });
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
