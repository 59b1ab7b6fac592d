// Registry client against the local docker-registry, unchanged tags at concurrency 16: the client's own
// CPU per check against a raw undici HEAD's (the registry runs in its own process and shares the 2
// cores, so a req/s ratio mostly measures the registry), requests per check, and skopeo both ways: one
// process per call against our warm in-process client (what a long-running service sees), and one
// process per resolve for both (like for like). Rounds interleaved, order alternated; medians, min–max.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { Pool } from 'undici';
import {
  defaultRegistryClientOptions,
  UndiciRegistryClient,
} from '../core/adapters/registry/undici-registry-client.ts';
import { manifestAccept } from '../core/importing/media-types.ts';
import { parseRegistryReference, type RegistryReference } from '../core/references/registry-reference.ts';
import { pushImage } from '../test/support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../test/support/registry.ts';
import { interleaved, spread } from './stats.ts';

async function loop(total: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

/** Runs the loop and answers this process's CPU time per call, in ms (wall time is kept for req/s). */
async function cpuPerCall(total: number, concurrency: number, task: (i: number) => Promise<unknown>) {
  const wallStart = performance.now();
  const before = process.cpuUsage();
  await loop(total, concurrency, task);
  const used = process.cpuUsage(before);
  return { cpu: (used.user + used.system) / 1000 / total, wall: performance.now() - wallStart };
}

/** Wall time of one process that resolves one reference: what a CLI run of our client would cost. */
async function oneProcessResolve(dir: string): Promise<string> {
  const entry = join(dir, 'resolve-once.ts');
  await writeFile(
    entry,
    [
      `import { defaultRegistryClientOptions, UndiciRegistryClient } from '${process.cwd()}/core/adapters/registry/undici-registry-client.ts';`,
      `import { parseRegistryReference } from '${process.cwd()}/core/references/registry-reference.ts';`,
      'const ref = parseRegistryReference(process.argv[2]);',
      'const client = new UndiciRegistryClient({ ...defaultRegistryClientOptions, localHosts: new Set([ref.host]) });',
      'const resolved = await client.resolve(ref, { insecure: true });',
      'console.log(resolved.digest ?? JSON.stringify(resolved).slice(0, 80));',
      'await client.close();',
      '',
    ].join('\n'),
  );
  // Bundled and minified as the Lambda code is: the best start-up our code can have in a process.
  const outfile = join(dir, 'resolve-once.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    logLevel: 'silent',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  return outfile;
}

export async function registryBench(options: {
  requests: number;
  rounds: number;
  concurrency: number;
}): Promise<string[][]> {
  const rows: string[][] = [];
  const registries: [string, RunningRegistry][] = [
    ['anonymous', await startRegistry()],
    ['token auth', await startRegistry({ kind: 'token' })],
  ];
  const dir = await mkdtemp(join(process.cwd(), '.bench-'));
  try {
    rows.push([
      `registry resolve, unchanged tag, concurrency ${options.concurrency} (median, min–max of ${options.rounds} interleaved rounds of ${options.requests})`,
      'client CPU ms per check',
      'CPU ratio to raw HEAD (target <= 1.3)',
      'req/s; registry requests per check',
    ]);
    for (const [label, registry] of registries) {
      const tags = ['a', 'b', 'c', 'd'];
      for (const tag of tags) await pushImage(registry, 'bench/app', tag);
      const client = new UndiciRegistryClient({
        ...defaultRegistryClientOptions,
        localHosts: new Set([registry.host, ...(registry.tokenHost ? [registry.tokenHost] : [])]),
      });
      const access = { insecure: false, credentials: registry.user };
      const refs = tags.map((tag) => parseRegistryReference(`${registry.host}/bench/app:${tag}`));
      await client.resolve(refs[0] as RegistryReference, access); // learns the scheme, the challenge and a token
      // The baseline gets what the client holds after warm-up: the same Authorization header, sent raw.
      const headers: Record<string, string> = { accept: manifestAccept };
      if (registry.tokenHost) {
        const token = (await (
          await fetch(`http://${registry.tokenHost}/token?service=test-registry&scope=repository:bench/app:pull`, {
            headers: {
              authorization: `Basic ${Buffer.from(`${registry.user?.username}:${registry.user?.password}`).toString('base64')}`,
            },
          })
        ).json()) as { token: string };
        headers.authorization = `Bearer ${token.token}`;
      }
      const pool = new Pool(registry.url, { connections: options.concurrency });
      const rawHead = (i: number) => async () => {
        const { statusCode, body } = await pool.request({
          method: 'HEAD',
          path: `/v2/bench/app/manifests/${tags[i % tags.length]}`,
          headers,
        });
        await body.dump();
        if (statusCode !== 200) throw new Error(`raw HEAD answered ${statusCode}`);
      };
      const walls = { raw: [] as number[], ours: [] as number[] };
      let requests = 0;
      const samples = await interleaved(options.rounds, {
        raw: async () => {
          const r = await cpuPerCall(options.requests, options.concurrency, (i) => rawHead(i)());
          walls.raw.push(r.wall);
          return r.cpu;
        },
        ours: async () => {
          const before = client.requestCount;
          const r = await cpuPerCall(options.requests, options.concurrency, (i) =>
            client.resolve(refs[i % refs.length] as RegistryReference, access),
          );
          requests += client.requestCount - before;
          walls.ours.push(r.wall);
          return r.cpu;
        },
      });
      const raw = spread(samples.raw, 3);
      const ours = spread(samples.ours, 3);
      const rate = (w: number[]) => (options.requests / (spread(w).median / 1000)).toFixed(0);
      rows.push([`raw undici HEAD, ${label} (baseline)`, raw.text, '1.00', `${rate(walls.raw)}; 1`]);
      rows.push([
        `UndiciRegistryClient.resolve, ${label}`,
        ours.text,
        (ours.median / raw.median).toFixed(2),
        `${rate(walls.ours)}; ${(requests / (options.requests * options.rounds)).toFixed(2)}`,
      ]);

      if (label === 'anonymous' && spawnSync('skopeo', ['--version']).status === 0) {
        const once = await oneProcessResolve(dir);
        const ref = `${registry.host}/bench/app:a`;
        const processes = await interleaved(Math.max(5, options.rounds), {
          skopeo: async () => {
            const start = performance.now();
            execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${ref}`], { stdio: 'ignore' });
            return performance.now() - start;
          },
          ours: async () => {
            const start = performance.now();
            execFileSync(process.execPath, [once, ref], { stdio: 'ignore' });
            return performance.now() - start;
          },
          warm: async () => {
            const start = performance.now();
            await client.resolve(refs[0] as RegistryReference, access);
            return performance.now() - start;
          },
        });
        const skopeo = spread(processes.skopeo, 1);
        const oneProcess = spread(processes.ours, 1);
        const warm = spread(processes.warm, 2);
        rows.push(['', 'ms per resolve', 'ratio to skopeo', '']);
        rows.push(['skopeo inspect --raw, one process per call (baseline)', skopeo.text, '1.00', '']);
        rows.push([
          'our client, one process per resolve (bundled, like for like)',
          oneProcess.text,
          (oneProcess.median / skopeo.median).toFixed(2),
          '',
        ]);
        rows.push([
          'our client, warm in-process (not like for like: no process start)',
          warm.text,
          (warm.median / skopeo.median).toFixed(3),
          '',
        ]);
      }
      await pool.close();
      await client.close();
    }
    if (spawnSync('skopeo', ['--version']).status !== 0)
      rows.push(['skopeo not installed: no skopeo ratio this run', '', '', '']);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await Promise.all(registries.map(([, r]) => r.stop()));
  }
  return rows;
}

if (import.meta.main) {
  const { printTable } = await import('./stats.ts');
  printTable(
    await registryBench({
      requests: Number(process.env.BENCH_REGISTRY_REQUESTS ?? 1000),
      rounds: Number(process.env.BENCH_REGISTRY_ROUNDS ?? 7),
      concurrency: 16,
    }),
  );
}
