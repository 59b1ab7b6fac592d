// Local mode's wiring (in-process bus, the declared subscriptions): one tag with 100 webhook triggers.
// Time from the tag change to the last webhook received, and deliveries per second measured at the
// receiver (deliveries over the time from the first arrival to the last), against raw POSTs of the same
// body, signed the same way (HMAC-SHA256 over "<t>.<body>", computed here), to the same receiver at the
// same concurrency. Where the difference goes: each delivery claims its trigger with a conditional write
// before the POST and records the outcome after it, so a third case does only those DynamoDB writes (the
// store's own claim and record, through a client set up as the service's, at the fan-out's concurrency),
// no HTTP. dynalite, the receiver and the fan-out share this one process, as in local mode. Rounds
// interleaved, order alternated; medians with min–max.
import { createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Pool } from 'undici';
import { adminsGroup } from '../core/access/principal.ts';
import { ensureTable } from '../core/adapters/dynamodb/create-table.ts';
import { dynamoStores } from '../core/adapters/dynamodb/dynamo-stores.ts';
import { mapBounded } from '../core/map-bounded.ts';
import { loadConfig } from '../functions/lib/config.ts';
import { createLogger } from '../functions/lib/create-logger.ts';
import { connectSubscriptions } from '../functions/local/connect-subscriptions.ts';
import { startDynalite } from '../functions/local/dynalite.ts';
import { InProcessBus } from '../functions/local/in-process-bus.ts';
import { localDependencies } from '../functions/local/local-dependencies.ts';
import { pushImage } from '../test/support/push-image.ts';
import { startRegistry } from '../test/support/registry.ts';
import { startWebhookReceiver } from '../test/support/webhook-receiver.ts';
import { interleaved, spread } from './stats.ts';

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
  const deps = localDependencies(config, { publisher: bus, logger });
  await connectSubscriptions(bus, deps);
  // The stores over a client set up as the service's (same SDK, endpoint, region): for the writes-alone case.
  const store = dynamoStores(dynamo, config.tableName);
  const admin = { user: 'bench', groups: [adminsGroup] };
  const updates = () => dynalite.requests.get('UpdateItem') ?? 0;
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
    // Deliveries per second at the receiver: from the first arrival to the last.
    const arrivalRate = (from: number) => {
      const at = receiver.received.slice(from).map((r) => r.at);
      const span = Math.max(1, Math.max(...at) - Math.min(...at));
      return (at.length - 1) / (span / 1000);
    };
    let sample: { body: string; headers: Record<string, string> } | undefined;
    const rates = { ours: [] as number[], raw: [] as number[], writes: [] as number[] };
    const requestsPerDelivery: number[] = [];
    const samples = await interleaved(options.rounds, {
      ours: async () => {
        await pushImage(registry, 'bench/app', 'v1');
        const before = receiver.received.length;
        const requestsBefore = [...dynalite.requests.values()].reduce((a, b) => a + b, 0);
        const updatesBefore = updates();
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
        const delivered = receiver.received.slice(before);
        if (!delivered.every((r) => r.signed)) throw new Error('a delivery was not signed');
        const first = delivered[0] as (typeof delivered)[number];
        sample ??= {
          body: first.body,
          headers: { 'content-type': String(first.headers['content-type'] ?? 'application/cloudevents+json') },
        };
        rates.ours.push(arrivalRate(before));
        const last = Math.max(...delivered.map((r) => r.at)) - startEpoch;
        // The outcomes are written after the POSTs: wait for them, so that the next case has the process to itself.
        while (updates() < updatesBefore + 2 * options.triggers) {
          if (performance.now() - start > 60_000) throw new Error('the fan-out did not record every outcome');
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        const requests = [...dynalite.requests.values()].reduce((a, b) => a + b, 0) - requestsBefore;
        requestsPerDelivery.push(requests / options.triggers);
        return last;
      },
      raw: async () => {
        const body = sample?.body ?? '{}';
        const before = receiver.received.length;
        let next = 0;
        const start = performance.now();
        await Promise.all(
          Array.from({ length: 16 }, async () => {
            while (next < options.triggers) {
              const i = next++;
              const t = Math.floor(Date.now() / 1000);
              const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
              const { body: response } = await pool.request({
                method: 'POST',
                path: `/raw${i}`,
                headers: { ...sample?.headers, 'imagestreams-signature': `t=${t},v1=${mac}` },
                body,
              });
              await response.dump();
            }
          }),
        );
        const elapsed = performance.now() - start;
        if (!receiver.received.slice(before).every((r) => r.signed)) throw new Error('a raw POST was not signed');
        rates.raw.push(arrivalRate(before));
        return elapsed;
      },
      writes: async () => {
        const start = performance.now();
        const triggers = await store.triggers.triggersFor({ namespace: 'bench', stream: 'app', tag: 'v1' });
        const image = `sha256:${randomBytes(32).toString('hex')}`;
        const done: number[] = [];
        await mapBounded(triggers, config.triggerConcurrency, async (trigger) => {
          const at = new Date().toISOString();
          if (!(await store.triggers.claimTrigger(trigger, image, at, 'bench')).claimed)
            throw new Error(`trigger ${trigger.name} was not claimed`);
          await store.triggers.recordTriggerResult(trigger, image, {
            lastAttemptAt: at,
            attempts: 1,
            lastSuccessAt: at,
          });
          done.push(performance.now());
        });
        // The same measure as at the receiver: triggers done over the time from the first to the last.
        rates.writes.push((done.length - 1) / (Math.max(1, Math.max(...done) - Math.min(...done)) / 1000));
        return performance.now() - start;
      },
    });
    await pool.close();
    const ours = spread(samples.ours);
    const baseline = spread(samples.raw);
    const ourRate = spread(rates.ours);
    const rawRate = spread(rates.raw);
    const writes = spread(samples.writes);
    const writeRate = spread(rates.writes);
    rows.push([
      `trigger fan-out, 1 tag with ${options.triggers} webhook triggers (median, min–max of ${options.rounds} interleaved rounds)`,
      'ms to last webhook',
      'deliveries/s at the receiver',
      'rate ratio to raw signed POSTs',
      'DynamoDB requests per delivery',
    ]);
    rows.push([
      'raw signed undici POSTs of the same body, concurrency 16 (baseline)',
      baseline.text,
      rawRate.text,
      '1.00',
      '0',
    ]);
    rows.push([
      "the fan-out's DynamoDB writes alone: 1 Query, then claim + record per trigger, concurrency 16, no HTTP",
      writes.text,
      `${writeRate.text} (triggers done/s)`,
      (writeRate.median / rawRate.median).toFixed(2),
      (2 + 1 / options.triggers).toFixed(2),
    ]);
    rows.push([
      'tag change (import + write + event) to the last webhook, local mode',
      ours.text,
      ourRate.text,
      (ourRate.median / rawRate.median).toFixed(2),
      spread(requestsPerDelivery, 2).text,
    ]);
  } finally {
    deps.dynamo.destroy();
    dynamo.destroy();
    await deps.registry.close();
    await Promise.all([registry.stop(), receiver.stop(), dynalite.close()]);
  }
  return rows;
}

if (import.meta.main) {
  const { printTable } = await import('./stats.ts');
  printTable(
    await triggersBench({
      triggers: Number(process.env.BENCH_TRIGGERS ?? 100),
      rounds: Number(process.env.BENCH_TRIGGER_ROUNDS ?? 5),
    }),
  );
}
