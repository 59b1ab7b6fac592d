// Scheduled passes over N unchanged tags on one registry host (the local registry) with the default
// schedule: a 900 s interval played by one tick a minute (15 ticks per pass, 4 of the 60 slots each),
// 20 requests/s per host with a burst of 40, 50 s per tick. For each N: DynamoDB reads and writes and
// registry requests per pass and per tag (all 15 ticks, pacing off so that the counts come quickly:
// pacing only delays), then one tick with the default pacing, timed, against its 50 s budget.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../core/adapters/dynamodb/create-table.ts';
import { manifestAccept } from '../core/importing/media-types.ts';
import { createDependencies } from '../functions/lib/composition-root.ts';
import { loadConfig } from '../functions/lib/config.ts';
import { createLogger } from '../functions/lib/create-logger.ts';
import { startDynalite } from '../functions/local/dynalite.ts';
import { InProcessBus } from '../functions/local/in-process-bus.ts';
import { pushImage } from '../test/support/push-image.ts';
import { startRegistry } from '../test/support/registry.ts';

const tickMs = 60_000;

export async function scheduledBench(options: { sizes: number[] }): Promise<string[][]> {
  const rows: string[][] = [];
  const defaults = loadConfig({ IMAGESTREAMS_TABLE: 'defaults' });
  const ticksPerPass = Math.round(defaults.scheduleIntervalSeconds / 60);
  const perTickCapacity = defaults.registryBurst + defaults.registryRatePerSecond * (defaults.tickBudgetMs / 1000);
  rows.push([
    `scheduled pass, one registry host, default schedule (interval ${defaults.scheduleIntervalSeconds} s = ${ticksPerPass} ticks, ${defaults.registryRatePerSecond} req/s, burst ${defaults.registryBurst}, ${defaults.tickBudgetMs / 1000} s per tick)`,
    'per pass: DynamoDB reads, writes; registry req',
    'per tag: reads, writes, registry req',
    'one paced tick: tags, s (of the budget), leftover slots',
  ]);
  for (const tags of options.sizes) {
    const registry = await startRegistry();
    const dynalite = await startDynalite();
    const dynamo = new DynamoDBClient({
      endpoint: dynalite.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    // A clock the bench steps one tick (a minute) at a time, ahead of the real one; within a tick it runs at
    // real speed, so that the tick's budget and the pacing (which reads Date.now()) are real.
    const firstTick = Math.floor(Date.now() / tickMs) + 1;
    let offset = 0;
    const clock = { now: () => new Date(Date.now() + offset) };
    const at = (tick: number) => {
      offset = (firstTick + tick) * tickMs - Date.now();
    };
    const env = {
      IMAGESTREAMS_TABLE: 'bench',
      IMAGESTREAMS_DYNAMODB_ENDPOINT: dynalite.endpoint,
      AWS_REGION: 'local',
      IMAGESTREAMS_INSECURE_REGISTRIES: registry.host,
      IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
    };
    const logger = createLogger({ logLevel: 'SILENT' });
    const paced = createDependencies(loadConfig(env), { publisher: new InProcessBus(logger), logger, clock });
    const unpaced = createDependencies(loadConfig({ ...env, IMAGESTREAMS_REGISTRY_RATE_PER_SECOND: '1000000' }), {
      publisher: new InProcessBus(logger),
      logger,
      clock,
    });
    try {
      await ensureTable(dynamo, 'bench');
      // N distinct registry tags of one image (one manifest PUT each), in streams of 100 tags.
      const pushed = await pushImage(registry, 'bench/app', 'base');
      const manifest = await (
        await fetch(`${registry.url}/v2/bench/app/manifests/${pushed.digest}`, { headers: { accept: manifestAccept } })
      ).text();
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < tags) {
            const put = await fetch(`${registry.url}/v2/bench/app/manifests/t${next++}`, {
              method: 'PUT',
              headers: { 'content-type': pushed.mediaType },
              body: manifest,
            });
            await put.arrayBuffer();
          }
        }),
      );
      const created = new Date().toISOString();
      for (let s = 0; s * 100 < tags; s++) {
        const stream = { namespace: 'bench', name: `s${s}`, uid: `uid-${s}` };
        await paced.writer.write(
          stream,
          [],
          Array.from({ length: Math.min(100, tags - s * 100) }, (_, i) => {
            const name = `t${s * 100 + i}`;
            return {
              name,
              spec: {
                name,
                from: { kind: 'DockerImage', name: `${registry.host}/bench/app:${name}` },
                generation: 1,
                importPolicy: { scheduled: true, importMode: 'PreserveOriginal' as const },
              },
              items: [
                {
                  created,
                  dockerImageReference: `${registry.host}/bench/app@${pushed.digest}`,
                  image: pushed.digest,
                  generation: 1,
                },
              ],
              conditions: [],
              version: 0,
            };
          }),
          { cause: 'import', actor: 'bench' },
        );
      }
      // A whole pass, pacing off: what it costs in requests.
      dynalite.requests.clear();
      const registryBefore = unpaced.registry.requestCount();
      let unchanged = 0;
      for (let tick = 1; tick <= ticksPerPass; tick++) {
        at(tick);
        unchanged += (await unpaced.scheduler.tick()).unchanged;
      }
      const ops = Object.fromEntries(dynalite.requests);
      const reads = (ops.Query ?? 0) + (ops.GetItem ?? 0) + (ops.BatchGetItem ?? 0) + (ops.Scan ?? 0);
      const writes = (ops.PutItem ?? 0) + (ops.UpdateItem ?? 0) + (ops.DeleteItem ?? 0) + (ops.BatchWriteItem ?? 0);
      const registryRequests = unpaced.registry.requestCount() - registryBefore;
      // One tick of the next pass with the default pacing, timed.
      at(ticksPerPass + 1);
      const start = performance.now();
      const report = await paced.scheduler.tick();
      const seconds = (performance.now() - start) / 1000;
      rows.push([
        `${tags} tags (${unchanged} unchanged checks in the pass)`,
        `${reads}, ${writes}; ${registryRequests}`,
        `${(reads / tags).toFixed(3)}, ${(writes / tags).toFixed(3)}, ${(registryRequests / tags).toFixed(2)}`,
        `${report.checked}, ${seconds.toFixed(1)} s (of ${defaults.tickBudgetMs / 1000}), ${report.leftover.length}`,
      ]);
    } finally {
      for (const deps of [paced, unpaced]) {
        deps.dynamo.destroy();
        await deps.registry.close();
      }
      dynamo.destroy();
      await dynalite.close();
      await registry.stop();
    }
  }
  rows.push([
    `one host's capacity per pass at the defaults: ${perTickCapacity} tags per tick x ${ticksPerPass} ticks = ${perTickCapacity * ticksPerPass} tags; beyond, ticks leave slots to the next`,
  ]);
  return rows;
}

if (import.meta.main) {
  const { printTable } = await import('./stats.ts');
  printTable(
    await scheduledBench({ sizes: (process.env.BENCH_SCHEDULED_TAGS ?? '200,2000,10000').split(',').map(Number) }),
  );
}
