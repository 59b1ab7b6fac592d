// A scheduled pass over N unchanged tags against the local registry and dynalite: tags per second as a
// ratio to a raw undici HEAD loop over the same tags, registry requests and DynamoDB requests per tag;
// then the cost of one changed tag.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { manifestAccept } from '../core/importing/media-types.ts';
import { startApi } from '../test/support/api-under-test.ts';
import { pushImage } from '../test/support/push-image.ts';
import { startRegistry } from '../test/support/registry.ts';

export async function scheduledBench(options: { tags: number; rounds: number }): Promise<string[][]> {
  const rows: string[][] = [];
  const registry = await startRegistry();
  const api = await startApi({
    IMAGESTREAMS_INSECURE_REGISTRIES: registry.host,
    IMAGESTREAMS_SCHEDULE_INTERVAL_SECONDS: '60', // one tick visits every slot: the whole pass is measured at once
    IMAGESTREAMS_REGISTRY_RATE_PER_SECOND: '1000000', // pacing off: this measures the pass, not the limiter
    IMAGESTREAMS_MAX_CHECKS_PER_TICK: String(options.tags * 2),
  });
  const pool = new Pool(registry.url, { connections: 16 });
  try {
    // N tags over 20 repositories, all pointing at images that do not move, recorded as imported.
    const repos = 20;
    const targets: { repo: string; tag: string; digest: string }[] = [];
    for (let r = 0; r < repos; r++) {
      const pushed = await pushImage(registry, `bench/r${r}`, 'base');
      const manifest = await (
        await fetch(`${registry.url}/v2/bench/r${r}/manifests/${pushed.digest}`, {
          headers: { accept: manifestAccept },
        })
      ).text();
      for (let t = r; t < options.tags; t += repos) {
        const put = await fetch(`${registry.url}/v2/bench/r${r}/manifests/t${t}`, {
          method: 'PUT',
          headers: { 'content-type': pushed.mediaType },
          body: manifest,
        });
        await put.arrayBuffer();
        targets.push({ repo: `bench/r${r}`, tag: `t${t}`, digest: pushed.digest });
      }
    }
    const stream = { namespace: 'bench', name: 'sched', uid: 'bench-uid' };
    await api.stores.streams.createStream({
      ...stream,
      creationTimestamp: new Date().toISOString(),
      labels: {},
      annotations: {},
      lookupLocal: false,
      dockerImageRepository: '',
      generation: 1,
      version: 1,
    });
    for (let i = 0; i < targets.length; i += 50) {
      await Promise.all(
        targets.slice(i, i + 50).map(({ repo, tag, digest }) =>
          api.deps.writer.write(
            stream,
            [],
            [
              {
                name: tag,
                spec: {
                  name: tag,
                  from: { kind: 'DockerImage', name: `${registry.host}/${repo}:${tag}` },
                  generation: 1,
                  importPolicy: { scheduled: true, importMode: 'PreserveOriginal' },
                },
                items: [
                  {
                    created: new Date().toISOString(),
                    dockerImageReference: `${registry.host}/${repo}@${digest}`,
                    image: digest,
                    generation: 1,
                  },
                ],
                conditions: [],
                version: 0,
              },
            ],
            { cause: 'import', actor: 'bench' },
          ),
        ),
      );
    }
    await api.deps.scheduler.tick(); // warm-up: connections, code paths

    const raw: number[] = [];
    const pass: number[] = [];
    let counts = { registry: 0, reads: 0, writes: 0, unchanged: 0 };
    for (let round = 0; round < options.rounds; round++) {
      let next = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < targets.length) {
            const { repo, tag } = targets[next++] as (typeof targets)[number];
            const { body } = await pool.request({
              method: 'HEAD',
              path: `/v2/${repo}/manifests/${tag}`,
              headers: { accept: manifestAccept },
            });
            await body.dump();
          }
        }),
      );
      raw.push(performance.now() - start);

      api.dynalite.requests.clear();
      const before = api.deps.registry.requestCount();
      const tickStart = performance.now();
      const report = await api.deps.scheduler.tick();
      pass.push(performance.now() - tickStart);
      const ops = Object.fromEntries(api.dynalite.requests);
      counts = {
        registry: api.deps.registry.requestCount() - before,
        reads: (ops.Query ?? 0) + (ops.GetItem ?? 0) + (ops.BatchGetItem ?? 0),
        writes: (ops.PutItem ?? 0) + (ops.UpdateItem ?? 0) + (ops.DeleteItem ?? 0) + (ops.BatchWriteItem ?? 0),
        unchanged: report.unchanged,
      };
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
    const rawRate = targets.length / (median(raw) / 1000);
    const passRate = targets.length / (median(pass) / 1000);
    rows.push([
      `scheduled pass, ${targets.length} unchanged tags (median of ${options.rounds})`,
      'tags/s',
      'ratio to raw HEAD loop',
      'per tag: registry req, DynamoDB reads, writes',
    ]);
    rows.push(['raw undici HEAD loop, concurrency 16 (baseline)', rawRate.toFixed(0), '1.00', '1, 0, 0']);
    rows.push([
      `scheduler tick, concurrency 16 (${counts.unchanged} unchanged)`,
      passRate.toFixed(0),
      (passRate / rawRate).toFixed(2),
      `${(counts.registry / targets.length).toFixed(2)}, ${(counts.reads / targets.length).toFixed(3)}, ${(counts.writes / targets.length).toFixed(3)}`,
    ]);

    // One tag moves: what it costs.
    const moved = targets[0] as (typeof targets)[number];
    await pushImage(registry, moved.repo, moved.tag);
    api.dynalite.requests.clear();
    const before = api.deps.registry.requestCount();
    const calls = api.bus.calls.length;
    const report = await api.deps.scheduler.tick();
    const ops = Object.fromEntries(api.dynalite.requests);
    rows.push([
      `one changed tag among ${targets.length} (changed: ${report.changed})`,
      '',
      '',
      `${api.deps.registry.requestCount() - before - (targets.length - 1)} registry req beyond the HEADs; DynamoDB ${JSON.stringify(ops)}; PutEvents calls ${api.bus.calls.length - calls}`,
    ]);
  } finally {
    await pool.close();
    await api.close();
    await registry.stop();
  }
  return rows;
}
