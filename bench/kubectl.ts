// `npm run bench:kubectl`: `kubectl get is -n NS` on 100 streams against `kubectl get --raw` of the same list
// (the client's own cost), the service's share of each (the handler's time per request), the requests
// kubectl makes per command with a warm and a cold discovery cache, and the server time of the discovery
// and OpenAPI documents. Rounds interleave the two commands and alternate their order; figures are medians
// with min–max.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startApi, tokens } from '../test/support/api-under-test.ts';
import { kubectlFor } from '../test/support/kubectl.ts';
import { streamRecord } from '../test/support/stream-record.ts';

const streams = Number(process.env.BENCH_STREAMS ?? 100);
const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
const coldRounds = Number(process.env.BENCH_COLD_ROUNDS ?? 5);
const documentRounds = Number(process.env.BENCH_DOCUMENT_ROUNDS ?? 200);
const namespace = 'bench';
const listPath = `/apis/image.openshift.io/v1/namespaces/${namespace}/imagestreams`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const spread = (values: number[], digits = 1) =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

const api = await startApi({
  IMAGESTREAMS_IMPORT_TIMEOUT_MS: '0',
  IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
});
try {
  // 100 streams with two imported tags each, written through the store port.
  const created = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await Promise.all(
    Array.from({ length: streams }, async (_, i) => {
      const stream = streamRecord({
        namespace,
        name: `app-${String(i).padStart(3, '0')}`,
        uid: `uid-${i}`,
        creationTimestamp: created,
        labels: { app: `app-${i}` },
      });
      await api.stores.streams.createStream(stream);
      for (const [n, tag] of ['latest', '1.0'].entries())
        await api.stores.streams.putTag(stream, {
          name: tag,
          spec: null,
          items: [
            {
              created,
              dockerImageReference: `quay.io/bench/${stream.name}@sha256:${String(n).repeat(64)}`,
              image: `sha256:${String(n).repeat(64)}`,
              generation: 1,
            },
          ],
          conditions: [],
          version: 0,
        });
    }),
  );

  const kubectl = await kubectlFor({ url: api.url, ca: api.ca, token: tokens.alice, namespace });
  const commands = {
    'kubectl get is': ['get', 'is', '-n', namespace],
    'kubectl get --raw': ['get', '--raw', `${listPath}?limit=500`],
  };
  type Name = keyof typeof commands;
  const run = async (name: Name, client = kubectl) => {
    api.requests.length = 0;
    const start = performance.now();
    const result = await client.run(commands[name]);
    const wall = performance.now() - start;
    if (result.code !== 0) throw new Error(`${name} failed: ${result.stderr}`);
    const requests = [...api.requests];
    return {
      wall,
      requests: requests.length,
      lists: requests.filter((r) => r.path === listPath).length,
      server: requests.reduce((sum, r) => sum + r.ms, 0),
      listServer: requests.filter((r) => r.path === listPath).reduce((sum, r) => sum + r.ms, 0),
      paths: requests.map((r) => r.path),
    };
  };
  // Warm kubectl's discovery cache once.
  await run('kubectl get is');
  await run('kubectl get --raw');

  const samples: Record<Name, Awaited<ReturnType<typeof run>>[]> = { 'kubectl get is': [], 'kubectl get --raw': [] };
  for (let round = 0; round < rounds; round++) {
    const order: Name[] = round % 2 ? ['kubectl get --raw', 'kubectl get is'] : ['kubectl get is', 'kubectl get --raw'];
    for (const name of order) samples[name].push(await run(name));
  }

  // Cold: a fresh discovery cache per run.
  const cold: Awaited<ReturnType<typeof run>>[] = [];
  for (let round = 0; round < coldRounds; round++) {
    const fresh = await kubectlFor({ url: api.url, ca: api.ca, token: tokens.alice, namespace });
    try {
      cold.push(await run('kubectl get is', fresh));
    } finally {
      await fresh.close();
    }
  }
  await kubectl.close();

  console.log(`\nkubectl against local mode's handler, ${streams} streams × 2 tags, ${rounds} interleaved rounds\n`);
  console.log(
    '| command | wall ms, median (min–max) | handler ms, all requests | handler ms, the list | requests (list) |',
  );
  console.log('|---|---|---|---|---|');
  for (const name of Object.keys(samples) as Name[]) {
    const s = samples[name];
    console.log(
      `| ${name} (warm cache) | ${spread(s.map((x) => x.wall))} | ${spread(s.map((x) => x.server))} | ${spread(
        s.map((x) => x.listServer),
      )} | ${median(s.map((x) => x.requests))} (${median(s.map((x) => x.lists))}) |`,
    );
  }
  console.log(
    `| kubectl get is (cold cache) | ${spread(cold.map((x) => x.wall))} | ${spread(cold.map((x) => x.server))} | ${spread(
      cold.map((x) => x.listServer),
    )} | ${median(cold.map((x) => x.requests))} (${median(cold.map((x) => x.lists))}) |`,
  );
  const table = median(samples['kubectl get is'].map((x) => x.wall));
  const raw = median(samples['kubectl get --raw'].map((x) => x.wall));
  console.log(`\nkubectl get is / kubectl get --raw (wall, medians): ${(table / raw).toFixed(2)}`);
  console.log(
    `service's share of kubectl get is: ${((100 * median(samples['kubectl get is'].map((x) => x.server))) / table).toFixed(1)} %`,
  );
  console.log(`requests of a warm kubectl get is: ${samples['kubectl get is'][0]?.paths.join(', ')}`);
  console.log(`requests of a cold kubectl get is: ${cold[0]?.paths.join(', ')}`);

  // Discovery and OpenAPI documents: the handler's time per request, from its Server-Timing header.
  console.log(`\n| document | server ms, median (min–max) over ${documentRounds} | status |`);
  console.log('|---|---|---|');
  const aggregated =
    'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
  const documents: [string, string, string][] = [
    ['/version', '/version', 'application/json'],
    ['/api (aggregated)', '/api', aggregated],
    ['/apis (aggregated)', '/apis', aggregated],
    ['/apis/image.openshift.io/v1', '/apis/image.openshift.io/v1', 'application/json'],
    ['/openapi/v3', '/openapi/v3', 'application/json'],
    ['/openapi/v3/apis/image.openshift.io/v1', '/openapi/v3/apis/image.openshift.io/v1', 'application/json'],
  ];
  for (const [label, path, accept] of documents) {
    const times: number[] = [];
    let status = 0;
    for (let i = 0; i < documentRounds; i++) {
      const response = await api.call('GET', path, { headers: { accept } });
      status = response.status;
      times.push(Number(/dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '')?.[1] ?? Number.NaN));
    }
    console.log(`| ${label} | ${spread(times, 3)} | ${status} |`);
  }
} finally {
  await api.close();
}
