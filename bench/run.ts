// `npm run bench`: DynamoDB requests per operation counted on the wire, describe latency against a raw
// Query of the same items, handler bundle sizes and cold starts against a bare Node process. Figures
// are medians over repeated runs; every ratio's baseline is measured in the same run.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import { keys } from '../core/adapters/dynamodb/dynamo-table.ts';
import { startApi } from '../test/support/api-under-test.ts';
import { manifestListBench } from './manifest-list.ts';
import { policyBench } from './policy.ts';
import { policyPassBench } from './policy-pass.ts';
import { registryBench } from './registry.ts';
import { scheduledBench } from './scheduled.ts';
import { triggersBench } from './triggers.ts';

const tags = Number(process.env.BENCH_TAGS ?? 100);
const rounds = Number(process.env.BENCH_ROUNDS ?? 30);
const coldRuns = Number(process.env.BENCH_COLD_RUNS ?? 7);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const fmt = (n: number, digits = 2) => n.toFixed(digits);
const rows: string[][] = [];
const row = (...cells: (string | number)[]) => rows.push(cells.map(String));

const api = await startApi();
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
    const response = await api.call('GET', '/apis/image.openshift.io/v1/namespaces/bench/imagestreamtags/big:imported');
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

  // --- describe latency against a raw Query of the same partition -------------------------------
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
  const time = async (action: () => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < rounds + 3; i++) {
      const start = performance.now();
      await action();
      if (i >= 3) samples.push(performance.now() - start);
    }
    return median(samples);
  };
  const baselineMs = await time(rawQuery);
  const describeMs = await time(() =>
    api.call('GET', '/apis/image.openshift.io/v1/namespaces/bench/imagestreams/big/describe'),
  );
  const getMs = await time(() => api.call('GET', '/apis/image.openshift.io/v1/namespaces/bench/imagestreams/big'));
  raw.destroy();
  row('');
  row(`latency, ${tags}-tag stream (median of ${rounds})`, 'ms', 'ratio to raw Query', '');
  row('raw SDK Query of the partition (baseline)', fmt(baselineMs), '1.00', '');
  row('GET imagestream over HTTP', fmt(getMs), fmt(getMs / baselineMs), '');
  row('GET describe over HTTP', fmt(describeMs), fmt(describeMs / baselineMs), '');

  // --- bundles and cold starts --------------------------------------------------------------------
  // Inside the project, so that the SDK-external bundle finds @aws-sdk in node_modules as Lambda's runtime provides it.
  const dir = await mkdtemp(join(process.cwd(), '.bench-'));
  try {
    const bundle = async (name: string, external: string[]) => {
      const outfile = join(dir, `${name}.mjs`);
      const result = await build({
        entryPoints: ['functions/api.ts'],
        bundle: true,
        minify: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        outfile,
        external,
        metafile: true,
        logLevel: 'silent',
        banner: {
          js: "import { createRequire as topLevelCreateRequire } from 'module'; const require = topLevelCreateRequire(import.meta.url);",
        },
      });
      return { outfile, bytes: Object.values(result.metafile.outputs)[0]?.bytes ?? 0 };
    };
    const full = await bundle('api-full', []);
    const slim = await bundle('api-sdk-external', ['@aws-sdk/*']);
    await writeFile(join(dir, 'empty.mjs'), 'export const handler = async () => ({ statusCode: 200, body: "{}" });\n');
    const event = JSON.parse(
      await import('node:fs/promises').then((fs) => fs.readFile('test/fixtures/events/apigw-v2-jwt.json', 'utf8')),
    );
    event.requestContext.http.path = event.rawPath = '/apis/image.openshift.io/v1/namespaces/bench/imagestreams/big';
    event.pathParameters = { namespace: 'bench', name: 'big' };
    const driver = join(dir, 'driver.mjs');
    await writeFile(
      driver,
      `const start = performance.now();\nconst { handler } = await import(process.argv[2]);\nconst res = await handler(JSON.parse(process.env.BENCH_EVENT), { awsRequestId: 'cold' });\nif (res.statusCode !== 200) { console.error(res); process.exit(1); }\nconsole.log(JSON.stringify({ ms: performance.now() - start }));\n`,
    );
    const env = {
      ...process.env,
      IMAGESTREAMS_TABLE: 'imagestreams-test',
      IMAGESTREAMS_DYNAMODB_ENDPOINT: api.dynalite.endpoint,
      IMAGESTREAMS_EVENT_BUS: 'bench',
      IMAGESTREAMS_EVENTBRIDGE_ENDPOINT: api.bus.url,
      IMAGESTREAMS_ADMINS: event.requestContext.authorizer.jwt.claims.sub,
      AWS_REGION: 'local',
      BENCH_EVENT: JSON.stringify(event),
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    const cold = async (file: string) => {
      const wall: number[] = [];
      const inProcess: number[] = [];
      for (let i = 0; i < coldRuns; i++) {
        const start = performance.now();
        const out = await new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, [driver, file], { env, stdio: ['ignore', 'pipe', 'inherit'] });
          let text = '';
          child.stdout.on('data', (c) => (text += c));
          child.on('exit', (code) =>
            code === 0 ? resolve(text) : reject(new Error(`cold start run failed (${code})`)),
          );
        });
        wall.push(performance.now() - start);
        inProcess.push((JSON.parse(out) as { ms: number }).ms);
      }
      return { wall: median(wall), inProcess: median(inProcess) };
    };
    const baseline = await cold(join(dir, 'empty.mjs'));
    const coldFull = await cold(full.outfile);
    const coldSlim = await cold(slim.outfile);
    row('');
    row(
      `api handler bundle and cold start (median of ${coldRuns})`,
      'size',
      'process start to first response, ms',
      'ratio to bare Node',
    );
    row('bare Node process, empty handler (baseline)', '-', fmt(baseline.wall, 0), '1.00');
    row(
      'bundle with the AWS SDK',
      `${fmt(full.bytes / 1024, 0)} KiB`,
      `${fmt(coldFull.wall, 0)} (import + first request ${fmt(coldFull.inProcess, 0)})`,
      fmt(coldFull.wall / baseline.wall),
    );
    row(
      'bundle, AWS SDK from the runtime',
      `${fmt(slim.bytes / 1024, 0)} KiB`,
      `${fmt(coldSlim.wall, 0)} (import + first request ${fmt(coldSlim.inProcess, 0)})`,
      fmt(coldSlim.wall / baseline.wall),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
} finally {
  await api.close();
}

rows.push(['']);
rows.push(
  ...(await scheduledBench({
    tags: Number(process.env.BENCH_SCHEDULED_TAGS ?? 2000),
    rounds: Number(process.env.BENCH_SCHEDULED_ROUNDS ?? 3),
  })),
);
rows.push(['']);
rows.push(
  ...(await triggersBench({
    triggers: Number(process.env.BENCH_TRIGGERS ?? 100),
    rounds: Number(process.env.BENCH_TRIGGER_ROUNDS ?? 5),
  })),
);
rows.push(['']);
rows.push(
  ...(await registryBench({
    requests: Number(process.env.BENCH_REGISTRY_REQUESTS ?? 1000),
    rounds: Number(process.env.BENCH_REGISTRY_ROUNDS ?? 5),
    concurrency: 16,
  })),
);
rows.push(['']);
rows.push(...(await manifestListBench({ entries: Number(process.env.BENCH_INDEX_ENTRIES ?? 2000) })));
rows.push(['']);
rows.push(
  ...(await policyBench({
    tags: Number(process.env.BENCH_POLICY_TAGS ?? 1000),
    rounds: Number(process.env.BENCH_POLICY_ROUNDS ?? 200),
  })),
);
rows.push(['']);
rows.push(
  ...(await policyPassBench({
    repositories: Number(process.env.BENCH_POLICY_REPOSITORIES ?? 50),
    tagsPerRepository: Number(process.env.BENCH_POLICY_REPOSITORY_TAGS ?? 1000),
    policyTags: Number(process.env.BENCH_POLICY_PASS_TAGS ?? 500),
  })),
);

const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
console.log(
  rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n'),
);
