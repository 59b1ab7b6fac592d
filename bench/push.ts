// `npm run bench:push`: push → `ImageStreamTag Changed` and push → trigger webhook delivered, with local
// mode's wiring (HTTPS API, in-process bus and subscriptions) behind the CNCF registry's own push
// notifications; against the scheduled pass at its shortest interval in AWS (one tick a minute) as the
// baseline. Then the cost of a notification that matches no tag: registry and DynamoDB requests, counted
// on the wire. Last, a push to a stream's own repository in the integrated registry (`npm start`'s
// registry, configured as local mode configures it): push → tag moved, and what one push costs.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Agent, fetch } from 'undici';
import { adminsGroup } from '../core/access/principal.ts';
import { ensureTable } from '../core/adapters/dynamodb/create-table.ts';
import { createApiHandler } from '../functions/lib/api-handler.ts';
import { loadConfig } from '../functions/lib/config.ts';
import { createLogger } from '../functions/lib/create-logger.ts';
import { runSchedule } from '../functions/lib/run-schedule.ts';
import { connectSubscriptions } from '../functions/local/connect-subscriptions.ts';
import { startDynalite } from '../functions/local/dynalite.ts';
import { InProcessBus } from '../functions/local/in-process-bus.ts';
import { ensureLocalCertificates } from '../functions/local/local-certificates.ts';
import { localDependencies } from '../functions/local/local-dependencies.ts';
import { findRegistryBinary, startLocalRegistry } from '../functions/local/local-registry.ts';
import { createLocalServer } from '../functions/local/local-server.ts';
import { startFaultProxy } from '../test/support/fault-proxy.ts';
import { pushImage } from '../test/support/push-image.ts';
import { freePort, startRegistry } from '../test/support/registry.ts';
import { startWebhookReceiver } from '../test/support/webhook-receiver.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 20);
const token = randomBytes(24).toString('hex');
const triggerSecret = 'bench-trigger-secret-0123';
/** The shortest scheduled interval in AWS: the schedule ticks once a minute. */
const awsTickSeconds = 60;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
};
const ms = (n: number) => `${n.toFixed(0)} ms`;

const port = await freePort();
const registryHost = `127.0.0.1:${port}`;
const integratedPort = await freePort();
const integratedHost = `127.0.0.1:${integratedPort}`;
const notificationsSecret = randomBytes(32).toString('hex');
const [dynalite, sink, dir] = await Promise.all([
  startDynalite(),
  startWebhookReceiver(triggerSecret),
  mkdtemp(join(tmpdir(), 'imagestreams-bench-push-')),
]);
const proxy = await startFaultProxy(`http://${registryHost}`);
const config = loadConfig({
  IMAGESTREAMS_TABLE: 'bench-push',
  IMAGESTREAMS_DYNAMODB_ENDPOINT: dynalite.endpoint,
  AWS_REGION: 'local',
  IMAGESTREAMS_INSECURE_REGISTRIES: `${registryHost},${proxy.host},${integratedHost}`,
  IMAGESTREAMS_REGISTRY: integratedHost,
  IMAGESTREAMS_REGISTRY_NOTIFICATIONS_SECRET: notificationsSecret,
  IMAGESTREAMS_ALLOWED_PRIVATE_HOSTS: sink.host,
  IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
  IMAGESTREAMS_SCHEDULE_INTERVAL_SECONDS: String(awsTickSeconds), // one tick visits every slot
  IMAGESTREAMS_REGISTRY_RATE_PER_SECOND: '1000',
});
const dynamo = new DynamoDBClient({
  endpoint: dynalite.endpoint,
  region: 'local',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
await ensureTable(dynamo, config.tableName);

// Local mode's wiring: events through the in-process bus to the declared subscriptions (trigger fan-out).
const changedAt = new Map<string, number>();
const logger = createLogger({ logLevel: 'SILENT' });
const bus = new InProcessBus({
  info: (message: string, extra?: { detailType?: string; detail?: { image?: string } }) => {
    if (message === 'event published' && extra?.detailType === 'ImageStreamTag Changed' && extra.detail?.image)
      changedAt.set(extra.detail.image, performance.now());
  },
  error: () => undefined,
} as never);
const deps = localDependencies(config, { publisher: bus, logger });
await connectSubscriptions(bus, deps);
const tls = await ensureLocalCertificates(dir);
const server = createLocalServer(createApiHandler(deps), new Map(), tls, logger);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const api = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
const admin = { user: 'bench', groups: [adminsGroup] };

/** One namespace per measurement: a scheduled tag following `repository`, with a webhook trigger on it. */
async function following(namespace: string, repository: string): Promise<void> {
  await pushImage(registry, repository, 'v1');
  await deps.service.putImageStreamTag(admin, namespace, 'web:v1', {
    tag: {
      name: 'v1',
      from: { kind: 'DockerImage', name: `${registryHost}/${repository}:v1` },
      importPolicy: { scheduled: true },
    },
  });
  await deps.triggers.createTrigger(admin, namespace, {
    metadata: { name: 'deploy' },
    spec: {
      from: { kind: 'ImageStreamTag', name: 'web:v1' },
      fireOnCreate: false,
      target: { webhook: { url: sink.url(`/${namespace}`), secret: triggerSecret } },
    },
  });
}

await deps.credentials.putSecret('push', undefined, {
  metadata: { name: 'registry-hook' },
  type: 'Opaque',
  stringData: { token },
});
const receiver = await deps.receivers.createReceiver('push', {
  metadata: { name: 'registry' },
  spec: { type: 'distribution', secretRef: { name: 'registry-hook' } },
});
const registry = await startRegistry(
  { kind: 'none' },
  { url: `${api}${receiver.status.webhookPath}`, bearer: token, ca: tls.ca },
  port,
);
const binary = await findRegistryBinary();
if (!binary) throw new Error('docker-registry is not on PATH: apt-get install docker-registry');
const integrated = await startLocalRegistry({
  binary,
  dataDir: dir,
  caFile: join(dir, 'ca.crt'),
  settings: { port: integratedPort, notificationsUrl: `${api}/registry/notifications`, secret: notificationsSecret },
  onExit: () => undefined,
});
const integratedRegistry = { host: integratedHost, url: `http://${integratedHost}`, stop: () => integrated.stop() };

async function waitFor(what: string, done: () => boolean): Promise<void> {
  const start = performance.now();
  while (!done()) {
    if (performance.now() - start > 60_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
const deliveredAt = (namespace: string, digest: string) =>
  sink.received.find((r) => r.path === `/${namespace}` && JSON.parse(r.body).data?.image === digest)?.at;

try {
  await following('push', 'bench/pushed');
  await following('scheduled', 'bench/scheduled');
  // Warm-up: connections, code paths, the receiver in memory.
  for (const repository of ['bench/pushed', 'bench/scheduled']) await pushImage(registry, repository, 'v1');
  await runSchedule(deps, 0, 1);

  const push = { changed: [] as number[], delivered: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const pushed = await pushImage(registry, 'bench/pushed', 'v1');
    const start = performance.now();
    const startEpoch = Date.now();
    await waitFor('the pushed tag to change', () => changedAt.has(pushed.digest));
    push.changed.push((changedAt.get(pushed.digest) as number) - start);
    await waitFor('the trigger to deliver', () => deliveredAt('push', pushed.digest) !== undefined);
    push.delivered.push((deliveredAt('push', pushed.digest) as number) - startEpoch);
  }

  // The baseline: the same change found by the scheduled pass. A push waits for the next tick (in AWS,
  // uniformly 0-60 s) and then for the tick's own work, measured here by running a tick right after the push.
  const tick = { changed: [] as number[], delivered: [] as number[] };
  for (let round = 0; round < Math.min(rounds, 10); round++) {
    const pushed = await pushImage(registry, 'bench/scheduled', 'v1');
    const start = performance.now();
    const startEpoch = Date.now();
    await runSchedule(deps, 0, 1);
    await waitFor('the scheduled tag to change', () => changedAt.has(pushed.digest));
    tick.changed.push((changedAt.get(pushed.digest) as number) - start);
    await waitFor('the trigger to deliver', () => deliveredAt('scheduled', pushed.digest) !== undefined);
    tick.delivered.push((deliveredAt('scheduled', pushed.digest) as number) - startEpoch);
  }
  const wait = (q: number) => q * awsTickSeconds * 1000;

  // A notification naming a repository no tag follows, as the registry would send it (receiver in memory).
  const body = JSON.stringify({
    events: [
      {
        action: 'push',
        target: { repository: 'nobody/follows', tag: 'v1', digest: `sha256:${'0'.repeat(64)}` },
        request: { host: proxy.host },
      },
    ],
  });
  const agent = new Agent({ connect: { ca: tls.ca } });
  const notify = async () => {
    const response = await fetch(`${api}${receiver.status.webhookPath}`, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        'content-type': 'application/vnd.docker.distribution.events.v1+json',
        authorization: `Bearer ${token}`,
      },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  };
  await notify();
  proxy.clear();
  dynalite.requests.clear();
  const status = await notify();
  const counts = Object.fromEntries(dynalite.requests);
  const reads = ['Query', 'GetItem', 'BatchGetItem', 'Scan'].reduce((n, op) => n + (counts[op] ?? 0), 0);
  const writes = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].reduce((n, op) => n + (counts[op] ?? 0), 0);
  await agent.close();

  // The integrated registry: a push by tag to a stream's own repository moves the tag (no receiver, no
  // scheduled tag). Latency to the Changed event, then the cost of one push on a stream with no trigger.
  await deps.service.createImageStream(admin, 'integrated', { metadata: { name: 'web' } });
  await deps.service.createImageStream(admin, 'integrated', { metadata: { name: 'plain' } });
  await pushImage(integratedRegistry, 'integrated/web', 'v1'); // warm-up
  const integratedChanged: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // The registry notifies as soon as the manifest is stored, before its answer to the PUT: the clock
    // starts at the manifest PUT by tag, once the blobs and the manifest (by digest) are there, as docker
    // pushes them.
    const pushed = await pushImage(integratedRegistry, 'integrated/web', undefined);
    const manifest = await fetch(`${integratedRegistry.url}/v2/integrated/web/manifests/${pushed.digest}`, {
      headers: { accept: pushed.mediaType },
    });
    const body = Buffer.from(await manifest.arrayBuffer());
    const start = performance.now();
    const put = await fetch(`${integratedRegistry.url}/v2/integrated/web/manifests/v1`, {
      method: 'PUT',
      headers: { 'content-type': pushed.mediaType },
      body,
    });
    await put.arrayBuffer();
    if (put.status !== 201) throw new Error(`manifest PUT: ${put.status}`);
    await waitFor('the integrated tag to change', () => changedAt.has(pushed.digest));
    integratedChanged.push((changedAt.get(pushed.digest) as number) - start);
  }
  const costs: { registry: number; reads: number; writes: number; ops: Record<string, number> }[] = [];
  for (let round = 0; round < 5; round++) {
    // Counted from before the push (which itself touches neither) to when the service is done with it.
    const registryBefore = deps.registry.requestCount();
    dynalite.requests.clear();
    const pushed = await pushImage(integratedRegistry, 'integrated/plain', 'v1');
    await waitFor('the plain tag to change', () => changedAt.has(pushed.digest));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ops = Object.fromEntries(dynalite.requests);
    costs.push({
      registry: deps.registry.requestCount() - registryBefore,
      reads: ['Query', 'GetItem', 'BatchGetItem', 'Scan'].reduce((n, op) => n + (ops[op] ?? 0), 0),
      writes: ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].reduce((n, op) => n + (ops[op] ?? 0), 0),
      ops,
    });
  }
  const cost = costs[costs.length - 1] as (typeof costs)[number];
  const span = (values: number[]) => `${ms(Math.min(...values))}–${ms(Math.max(...values))}`;

  const table = [
    ['measure', 'median', 'p95', 'baseline: scheduled pass, 1-minute tick (median / p95)'],
    [
      `push → ImageStreamTag Changed (${rounds} pushes)`,
      ms(quantile(push.changed, 0.5)),
      ms(quantile(push.changed, 0.95)),
      `${ms(wait(0.5) + quantile(tick.changed, 0.5))} / ${ms(wait(0.95) + quantile(tick.changed, 0.95))}`,
    ],
    [
      'push → trigger webhook delivered',
      ms(quantile(push.delivered, 0.5)),
      ms(quantile(push.delivered, 0.95)),
      `${ms(wait(0.5) + quantile(tick.delivered, 0.5))} / ${ms(wait(0.95) + quantile(tick.delivered, 0.95))}`,
    ],
    [
      'scheduled tick alone → Changed / → delivered (median)',
      ms(quantile(tick.changed, 0.5)),
      ms(quantile(tick.delivered, 0.5)),
      'the baseline adds the wait for the tick: 30 s median, 57 s p95',
    ],
    [
      'notification naming no followed repository',
      `HTTP ${status}`,
      `registry requests ${proxy.seen.length}`,
      `DynamoDB reads ${reads}, writes ${writes} (${JSON.stringify(counts)})`,
    ],
    [
      `integrated registry: push → ImageStreamTag Changed (${rounds} pushes)`,
      ms(quantile(integratedChanged, 0.5)),
      ms(quantile(integratedChanged, 0.95)),
      `min–max ${span(integratedChanged)}`,
    ],
    [
      'integrated registry: one push to a stream repository (no trigger; reads include the fan-out’s trigger lookup)',
      `registry requests ${cost.registry}`,
      `DynamoDB reads ${cost.reads}, writes ${cost.writes}`,
      `${JSON.stringify(cost.ops)}; the 5 pushes: ${costs.map((c) => `${c.registry}/${c.reads}/${c.writes}`).join(' ')}`,
    ],
  ];
  for (const line of table) console.log(line.join(' | '));
} finally {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  deps.dynamo.destroy();
  dynamo.destroy();
  await deps.registry.close();
  await Promise.all([registry.stop(), integrated.stop(), sink.stop(), proxy.stop()]);
  await dynalite.close();
  await rm(dir, { recursive: true, force: true });
}
