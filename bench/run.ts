// `npm run bench`: DynamoDB requests per operation counted on the wire, GET/describe latency against a raw
// Query of the same items at concurrency 1 and 16, the handler as deployed (bench/bundle.ts), then the
// other benches. Every ratio's baseline is measured in the same run, in interleaved rounds whose order
// alternates; figures are medians with min–max.
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { keys } from '../core/adapters/dynamodb/dynamo-table.ts';
import { startApi } from '../test/support/api-under-test.ts';
import { pushImage } from '../test/support/push-image.ts';
import { startRegistry } from '../test/support/registry.ts';
import { bundleBench } from './bundle.ts';
import { manifestListBench } from './manifest-list.ts';
import { policyBench } from './policy.ts';
import { policyPassBench } from './policy-pass.ts';
import { registryBench } from './registry.ts';
import { scheduledBench } from './scheduled.ts';
import { interleaved, median, printTable, spread } from './stats.ts';
import { triggersBench } from './triggers.ts';

const tags = Number(process.env.BENCH_TAGS ?? 100);
const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
const coldRuns = Number(process.env.BENCH_COLD_RUNS ?? 11);

const rows: string[][] = [];
const row = (...cells: (string | number)[]) => rows.push(cells.map(String));

async function apiBench(): Promise<undefined> {
  const registry = await startRegistry();
  const api = await startApi({ IMAGESTREAMS_INSECURE_REGISTRIES: registry.host });
  const counted = async (action: () => Promise<unknown>) => {
    api.dynalite.requests.clear();
    await action();
    const counts = Object.fromEntries(api.dynalite.requests);
    const writes = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].reduce(
      (sum, op) => sum + (counts[op] ?? 0),
      0,
    );
    const reads = ['Query', 'GetItem', 'BatchGetItem', 'Scan'].reduce((sum, op) => sum + (counts[op] ?? 0), 0);
    return { reads, writes, counts };
  };
  const tagBody = (i: number, ref: string) => ({
    tag: { name: `t${i}`, reference: true, from: { kind: 'DockerImage', name: ref } },
  });

  try {
    // --- DynamoDB requests per operation -------------------------------------------------------------
    await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/bench/imagestreamtags/big:t0', {
      body: tagBody(0, 'quay.io/bench/app:0'),
    });
    const created: { reads: number; writes: number }[] = [];
    for (let i = 1; i < tags; i++)
      created.push(
        await counted(() =>
          api.call('PUT', `/apis/image.openshift.io/v1/namespaces/bench/imagestreamtags/big:t${i}`, {
            body: tagBody(i, `quay.io/bench/app:${i}`),
          }),
        ),
      );
    const retag = await counted(() =>
      api.call('PUT', '/apis/image.openshift.io/v1/namespaces/bench/imagestreamtags/big:t1', {
        body: tagBody(1, 'quay.io/bench/app:v2'),
      }),
    );
    const sameTag = await counted(() =>
      api.call('PUT', '/apis/image.openshift.io/v1/namespaces/bench/imagestreamtags/big:t1', {
        body: tagBody(1, 'quay.io/bench/app:v2'),
      }),
    );
    const describeCount = await counted(() =>
      api.call('GET', '/apis/image.openshift.io/v1/namespaces/bench/imagestreams/big/describe'),
    );
    // An imported tag, as the importer records it, for the ImageStreamTag read (stream Query + image GetItem).
    const state = await api.stores.streams.getStream('bench', 'big');
    const digest = `sha256:${'e'.repeat(64)}`;
    if (state)
      await api.stores.streams.putTag(state.stream, {
        name: 'imported',
        spec: null,
        items: [
          {
            created: '2026-01-01T00:00:00Z',
            dockerImageReference: `quay.io/bench/app@${digest}`,
            image: digest,
            generation: 1,
          },
        ],
        conditions: [],
        version: 0,
      });
    const getTag = await counted(async () => {
      const response = await api.call(
        'GET',
        '/apis/image.openshift.io/v1/namespaces/bench/imagestreamtags/big:imported',
      );
      if (response.status !== 200) throw new Error(`get istag answered ${response.status}`);
    });

    row('DynamoDB requests', 'reads', 'writes', 'target');
    row(
      'oc tag, new tag (median)',
      median(created.map((c) => c.reads)),
      median(created.map((c) => c.writes)),
      'writes <= 2',
    );
    row('oc tag, re-tag to a new source', retag.reads, retag.writes, 'writes <= 2');
    row('oc tag, same source again', sameTag.reads, sameTag.writes, 'writes 0');
    row(`describe, ${tags}-tag stream`, describeCount.reads, describeCount.writes, '1 Query page');
    row('get istag (stream Query + image GetItem)', getTag.reads, getTag.writes, '');

    // --- an importing `oc tag`: a new tag whose source is imported from the registry -------------------
    // On a new stream and on an existing one, each with an image the service has not seen (pushed first).
    const importingTag = async (stream: string, tag: string) => {
      const pushed = await pushImage(registry, 'bench/app', tag);
      const from = `${registry.host}/bench/app:${tag}`;
      return {
        pushed,
        put: async () => {
          const response = await api.call(
            'PUT',
            `/apis/image.openshift.io/v1/namespaces/bench/imagestreamtags/${stream}:${tag}`,
            { body: { tag: { name: tag, from: { kind: 'DockerImage', name: from } } } },
          );
          if (response.status !== 200) throw new Error(`importing tag answered ${response.status}`);
          if (response.json.image?.metadata?.name !== pushed.digest)
            throw new Error(`the importing tag did not import (${response.json.image?.metadata?.name})`);
        },
      };
    };
    const intoNew = await importingTag('imp', 'v1');
    const importing = await counted(intoNew.put);
    // The existing stream is one of its own, so that the GET and describe figures below keep 100 tags.
    await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/bench/imagestreamtags/grown:t0', {
      body: tagBody(0, 'quay.io/bench/app:0'),
    });
    const intoExisting = await importingTag('grown', 'imported-v1');
    const importingExisting = await counted(intoExisting.put);
    row(
      'oc tag, new tag that imports a new image (new stream)',
      importing.reads,
      importing.writes,
      'reads <= 3, writes <= 3',
    );
    row(
      'oc tag, new tag that imports a new image (existing stream)',
      importingExisting.reads,
      importingExisting.writes,
      '',
    );

    // Latency of the importing `oc tag`, rounds interleaved: the image is pushed before the timed PUT.
    let serial = 0;
    const timedImport = (existing: boolean) => async () => {
      serial++;
      const prepared = await importingTag(existing ? 'grown' : `imp${serial}`, `r${serial}`);
      const start = performance.now();
      await prepared.put();
      return performance.now() - start;
    };
    const importSamples = await interleaved(rounds, { fresh: timedImport(false), existing: timedImport(true) });
    row('');
    row(`importing oc tag: ms per call (median, min–max of ${rounds} interleaved rounds)`, 'ms per call', '', '');
    row('new tag importing a new image, new stream', spread(importSamples.fresh, 1).text, '', '');
    row('new tag importing a new image, existing stream', spread(importSamples.existing, 1).text, '', '');

    // --- latency: describe and GET against a raw Query of the same partition, rounds interleaved -------
    const raw = new DynamoDBClient({
      endpoint: api.dynalite.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const partition = keys.inNamespace('bench').streamAndTags('big');
    const rawQuery = () =>
      raw.send(
        new QueryCommand({
          TableName: 'imagestreams-test',
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: {
            ':pk': { S: partition.pk },
            ':p': { S: partition.prefix ?? '' },
          },
          ConsistentRead: true,
        }),
      );
    const describe = () => api.call('GET', '/apis/image.openshift.io/v1/namespaces/bench/imagestreams/big/describe');
    const get = () => api.call('GET', '/apis/image.openshift.io/v1/namespaces/bench/imagestreams/big');
    // One sample: `batch` calls at the given concurrency, answered as ms per call (wall time / calls).
    const timed = (action: () => Promise<unknown>, concurrency: number, batch: number) => async () => {
      let next = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next++ < batch) await action();
        }),
      );
      return (performance.now() - start) / batch;
    };
    for (const concurrency of [1, 16]) {
      const batch = concurrency === 1 ? 20 : 64;
      await interleaved(2, {
        raw: timed(rawQuery, concurrency, batch),
        get: timed(get, concurrency, batch),
        describe: timed(describe, concurrency, batch),
      }); // warm-up
      const samples = await interleaved(rounds, {
        raw: timed(rawQuery, concurrency, batch),
        get: timed(get, concurrency, batch),
        describe: timed(describe, concurrency, batch),
      });
      const baseline = spread(samples.raw, 2);
      row('');
      row(
        `${tags}-tag stream, concurrency ${concurrency}: ms per call (median, min–max of ${rounds} interleaved rounds of ${batch})`,
        'ms per call',
        'ratio to raw Query',
        concurrency === 16 ? 'target <= 1.5' : '',
      );
      row('raw SDK Query of the partition (baseline)', baseline.text, '1.00', '');
      for (const [label, values] of [
        ['GET imagestream over HTTPS', samples.get],
        ['GET describe over HTTPS', samples.describe],
      ] as const) {
        const s = spread(values, 2);
        row(label, s.text, (s.median / baseline.median).toFixed(2), '');
      }
    }
    raw.destroy();
  } finally {
    await api.close();
    await registry.stop();
  }
  return undefined;
}

/** `BENCH_ONLY=api,bundle` runs some sections only (bench:soak is left out: it runs for minutes by design). */
const only = process.env.BENCH_ONLY?.split(',');
const sections: [string, () => Promise<string[][] | undefined>][] = [
  ['api', apiBench],
  ['bundle', () => bundleBench({ rounds: coldRuns })],
  [
    'scheduled',
    () =>
      scheduledBench({
        sizes: (process.env.BENCH_SCHEDULED_TAGS ?? '200,2000,10000').split(',').map(Number),
      }),
  ],
  [
    'triggers',
    () =>
      triggersBench({
        triggers: Number(process.env.BENCH_TRIGGERS ?? 100),
        rounds: Number(process.env.BENCH_TRIGGER_ROUNDS ?? 5),
      }),
  ],
  [
    'registry',
    () =>
      registryBench({
        requests: Number(process.env.BENCH_REGISTRY_REQUESTS ?? 1000),
        rounds: Number(process.env.BENCH_REGISTRY_ROUNDS ?? 7),
        concurrency: 16,
      }),
  ],
  ['manifest-list', () => manifestListBench({ entries: Number(process.env.BENCH_INDEX_ENTRIES ?? 2000) })],
  [
    'policy',
    () =>
      policyBench({
        tags: Number(process.env.BENCH_POLICY_TAGS ?? 1000),
        rounds: Number(process.env.BENCH_POLICY_ROUNDS ?? 200),
      }),
  ],
  [
    'policy-pass',
    () =>
      policyPassBench({
        repositories: Number(process.env.BENCH_POLICY_REPOSITORIES ?? 50),
        tagsPerRepository: Number(process.env.BENCH_POLICY_REPOSITORY_TAGS ?? 1000),
        policyTags: Number(process.env.BENCH_POLICY_PASS_TAGS ?? 500),
      }),
  ],
  // Benches that run as their own scripts and print their own tables: one child process each.
  ...['kubectl', 'push', 'verify', 'cli'].map((name): [string, () => Promise<string[][]>] => [
    name,
    async () => {
      const run = spawnSync(process.execPath, [`bench/${name}.ts`], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      if (run.status !== 0) throw new Error(`bench/${name}.ts exited ${run.status}`);
      return run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => [line]);
    },
  ]),
];
rows.push([
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')} on ${availableParallelism()} cores`,
]);
for (const [name, section] of sections) {
  if (only && !only.includes(name)) continue;
  rows.push(['']);
  rows.push(...((await section()) ?? []));
}
rows.push(['']);
rows.push([
  `load average at end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`,
]);
printTable(rows);
