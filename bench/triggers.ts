// Local mode's wiring (in-process bus, the declared subscriptions): one tag with 100 webhook triggers.
// Time from the tag change to the last webhook received, and deliveries per second against raw signed
// POSTs to the same receiver at the same concurrency.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Pool } from 'undici';
import { adminsGroup } from '../core/access/principal.ts';
import { ensureTable } from '../core/adapters/dynamodb/create-table.ts';
import { createDependencies } from '../functions/lib/composition-root.ts';
import { loadConfig } from '../functions/lib/config.ts';
import { createLogger } from '../functions/lib/create-logger.ts';
import { connectSubscriptions } from '../functions/local/connect-subscriptions.ts';
import { startDynalite } from '../functions/local/dynalite.ts';
import { InProcessBus } from '../functions/local/in-process-bus.ts';
import { pushImage } from '../test/support/push-image.ts';
import { startRegistry } from '../test/support/registry.ts';
import { startWebhookReceiver } from '../test/support/webhook-receiver.ts';

export async function triggersBench(options: { triggers: number; rounds: number }): Promise<string[][]> {
  const secret = 'bench-secret-0123456789';
  const [registry, receiver, dynalite] = await Promise.all([
    startRegistry(),
    startWebhookReceiver(secret),
    startDynalite(),
  ]);
  const config = loadConfig({
    IMAGESTREAMS_TABLE: 'bench',
    IMAGESTREAMS_DYNAMODB_ENDPOINT: dynalite.endpoint,
    AWS_REGION: 'local',
    IMAGESTREAMS_INSECURE_REGISTRIES: registry.host,
    IMAGESTREAMS_ALLOWED_PRIVATE_HOSTS: receiver.host,
    IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
  });
  const dynamo = new DynamoDBClient({
    endpoint: dynalite.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await ensureTable(dynamo, config.tableName);
  const logger = createLogger({ logLevel: 'SILENT' });
  const bus = new InProcessBus(logger);
  const deps = createDependencies(config, { publisher: bus, logger });
  await connectSubscriptions(bus, deps);
  const admin = { user: 'bench', groups: [adminsGroup] };
  const rows: string[][] = [];
  try {
    const from = `${registry.host}/bench/app:v1`;
    await pushImage(registry, 'bench/app', 'v1');
    await deps.service.putImageStreamTag(admin, 'bench', 'app:v1', {
      tag: { name: 'v1', from: { kind: 'DockerImage', name: from } },
    });
    for (let i = 0; i < options.triggers; i++) {
      await deps.triggers.createTrigger(admin, 'bench', {
        metadata: { name: `t${i}` },
        spec: {
          from: { kind: 'ImageStreamTag', name: 'app:v1' },
          fireOnCreate: false,
          target: { webhook: { url: receiver.url(`/t${i}`), secret } },
        },
      });
    }
    const pool = new Pool(`http://${receiver.host}`, { connections: 16 });
    const fanOut: number[] = [];
    const raw: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      await pushImage(registry, 'bench/app', 'v1');
      const before = receiver.received.length;
      const start = performance.now();
      const startEpoch = Date.now();
      await deps.service.putImageStreamTag(admin, 'bench', 'app:v1', {
        tag: { name: 'v1', from: { kind: 'DockerImage', name: from }, generation: 0 },
      });
      while (receiver.received.length < before + options.triggers) {
        if (performance.now() - start > 60_000)
          throw new Error(`only ${receiver.received.length - before} webhooks arrived`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const last = Math.max(...receiver.received.slice(before).map((r) => r.at));
      fanOut.push(last - startEpoch);

      let next = 0;
      const rawStart = performance.now();
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < options.triggers) {
            const i = next++;
            const { body } = await pool.request({
              method: 'POST',
              path: `/raw${i}`,
              headers: { 'content-type': 'application/cloudevents+json' },
              body: '{}',
            });
            await body.dump();
          }
        }),
      );
      raw.push(performance.now() - rawStart);
    }
    await pool.close();
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
    const ours = median(fanOut);
    const baseline = median(raw);
    rows.push([
      `trigger fan-out, 1 tag with ${options.triggers} webhook triggers (median of ${options.rounds})`,
      'ms to last webhook',
      'deliveries/s',
      'ratio to raw POSTs',
    ]);
    rows.push([
      `raw undici POSTs to the same receiver, concurrency 16 (baseline)`,
      baseline.toFixed(0),
      (options.triggers / (baseline / 1000)).toFixed(0),
      '1.00',
    ]);
    rows.push([
      'tag change (import + write + event) to the last webhook, local mode',
      ours.toFixed(0),
      (options.triggers / (ours / 1000)).toFixed(0),
      (baseline / ours).toFixed(2),
    ]);
  } finally {
    deps.dynamo.destroy();
    dynamo.destroy();
    await deps.registry.close();
    await Promise.all([registry.stop(), receiver.stop(), dynalite.close()]);
  }
  return rows;
}
