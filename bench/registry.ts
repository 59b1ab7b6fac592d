// Registry client against the local docker-registry: resolves per second for unchanged tags at concurrency
// 16 against a raw undici HEAD loop (the practical limit), registry requests per check, and skopeo per
// call where it is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import {
  defaultRegistryClientOptions,
  UndiciRegistryClient,
} from '../core/adapters/registry/undici-registry-client.ts';
import { manifestAccept } from '../core/importing/media-types.ts';
import { parseRegistryReference, type RegistryReference } from '../core/references/registry-reference.ts';
import { pushImage } from '../test/support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../test/support/registry.ts';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function loop(total: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
  return performance.now() - start;
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
  try {
    rows.push([
      `registry resolve, unchanged tag (median of ${options.rounds} x ${options.requests}, concurrency ${options.concurrency})`,
      'req/s',
      'ratio to raw HEAD',
      'registry requests per check',
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
      const raw: number[] = [];
      const ours: number[] = [];
      let perCheck = 0;
      for (let round = 0; round < options.rounds; round++) {
        raw.push(
          await loop(options.requests, options.concurrency, async (i) => {
            const { statusCode, body } = await pool.request({
              method: 'HEAD',
              path: `/v2/bench/app/manifests/${tags[i % tags.length]}`,
              headers,
            });
            await body.dump();
            if (statusCode !== 200) throw new Error(`raw HEAD answered ${statusCode}`);
          }),
        );
        const before = client.requestCount;
        ours.push(
          await loop(options.requests, options.concurrency, (i) =>
            client.resolve(refs[i % refs.length] as RegistryReference, access),
          ),
        );
        perCheck = (client.requestCount - before) / options.requests;
      }
      const rawRate = options.requests / (median(raw) / 1000);
      const ourRate = options.requests / (median(ours) / 1000);
      rows.push([`raw undici HEAD loop, ${label} (baseline)`, rawRate.toFixed(0), '1.00', '1']);
      rows.push([
        `UndiciRegistryClient.resolve, ${label}`,
        ourRate.toFixed(0),
        (ourRate / rawRate).toFixed(2),
        perCheck.toFixed(2),
      ]);

      if (label === 'anonymous' && spawnSync('skopeo', ['--version']).status === 0) {
        const calls: number[] = [];
        for (let i = 0; i < 10; i++) {
          const start = performance.now();
          execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/bench/app:a`], {
            stdio: 'ignore',
          });
          calls.push(performance.now() - start);
        }
        const one = median(calls);
        const sequential: number[] = [];
        for (let i = 0; i < 20; i++) {
          const start = performance.now();
          await client.resolve(refs[0] as RegistryReference, access);
          sequential.push(performance.now() - start);
        }
        rows.push([
          'skopeo inspect --raw, one process per call',
          (1000 / one).toFixed(0),
          `client is ${(one / median(sequential)).toFixed(0)}x faster per call`,
          '',
        ]);
      }
      await pool.close();
      await client.close();
    }
    if (spawnSync('skopeo', ['--version']).status !== 0)
      rows.push(['skopeo not installed: no skopeo ratio this run', '', '', '']);
  } finally {
    await Promise.all(registries.map(([, r]) => r.stop()));
  }
  return rows;
}
