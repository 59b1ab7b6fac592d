// `npm run bench:local-reference`: what serving a `referencePolicy: Local` tag costs in local mode — a copy of
// the image by digest from a source registry into the stream's repository of the integrated CNCF registry —
// in bytes, registry requests and time; then the same digest served again (only a HEAD). Baseline: `skopeo
// copy` of the same image between the same registries, where skopeo is installed. Each round copies into a
// fresh destination registry (both tools, alternating which goes first), so that neither finds blobs to reuse.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RegistryCopyServer } from '../core/adapters/registry/registry-copy-server.ts';
import { UndiciRegistryClient } from '../core/adapters/registry/undici-registry-client.ts';
import { mediaTypes } from '../core/importing/media-types.ts';
import { parseRegistryReference } from '../core/references/registry-reference.ts';
import { type RunningRegistry, sha256, startRegistry } from '../test/support/registry.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const layerSizes = [4, 16, 44].map((mib) => mib * 1024 * 1024);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const spread = (values: number[], unit: string, digits = 0) =>
  `${median(values).toFixed(digits)}${unit ? ` ${unit}` : ''} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

/** One image of three random layers, pushed over the HTTP API. */
async function pushLargeImage(
  registry: RunningRegistry,
  repository: string,
): Promise<{ digest: string; bytes: number }> {
  const put = async (data: Buffer) => {
    const digest = sha256(data);
    const start = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
    await start.arrayBuffer();
    const location = new URL(start.headers.get('location') ?? '', registry.url);
    location.searchParams.set('digest', digest);
    const done = await fetch(location, { method: 'PUT', body: data });
    await done.arrayBuffer();
    if (done.status !== 201) throw new Error(`blob push: ${done.status}`);
    return { digest, size: data.length };
  };
  const layers = [];
  for (const size of layerSizes) layers.push(await put(randomBytes(size)));
  const config = await put(
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })),
  );
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: mediaTypes.ociManifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...l })),
  });
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/v1`, {
    method: 'PUT',
    headers: { 'content-type': mediaTypes.ociManifest },
    body: manifest,
  });
  await response.arrayBuffer();
  if (response.status !== 201) throw new Error(`manifest push: ${response.status}`);
  const bytes = Buffer.byteLength(manifest) + config.size + layers.reduce((s, l) => s + l.size, 0);
  return { digest: sha256(manifest), bytes };
}

const source = await startRegistry();
const image = await pushLargeImage(source, 'team/big');
let skopeoInstalled = true;
const skopeo = [] as number[];
function skopeoCopy(integrated: RunningRegistry, round: number): void {
  if (!skopeoInstalled) return;
  const start = performance.now();
  try {
    execFileSync('skopeo', [
      'copy',
      '--quiet',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      `docker://${source.host}/team/big:v1`,
      `docker://${integrated.host}/bench/skopeo${round}:v1`,
    ]);
    skopeo.push(performance.now() - start);
  } catch {
    skopeoInstalled = false;
  }
}
const copy = { ms: [] as number[], requests: [] as number[], rssMiB: [] as number[] };
const again = { ms: [] as number[], requests: [] as number[] };
for (let round = 0; round < rounds; round++) {
  const integrated = await startRegistry();
  if (round % 2 === 1) skopeoCopy(integrated, round);
  const client = new UndiciRegistryClient({
    connectTimeoutMs: 5_000,
    headersTimeoutMs: 30_000,
    bodyTimeoutMs: 30_000,
    maxManifestBytes: 4 << 20,
    maxBlobBytes: 8 << 20,
    maxRetries: 0,
    minRetryDelayMs: 100,
    maxRetryDelayMs: 1_000,
    localHosts: new Set([source.host, integrated.host]),
  });
  const server = new RegistryCopyServer({
    client,
    registry: { host: integrated.host, prefix: '' },
    maxBytes: 512 << 20,
    maxIndexEntries: 256,
    concurrency: 8,
    credentials: async () => undefined,
  });
  const request = {
    namespace: 'bench',
    stream: `copy${round}`,
    source: parseRegistryReference(`${source.host}/team/big:v1`),
    digest: image.digest,
    access: { insecure: false },
  };
  // Learn both hosts' schemes first: a deployment's warm instance has.
  await client.hasManifest(request.source, image.digest, request.access);
  await client.hasManifest({ ...request.source, host: integrated.host }, image.digest, request.access);
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 5);
  let before = client.requestCount;
  let start = performance.now();
  const result = await server.serve(request);
  copy.ms.push(performance.now() - start);
  clearInterval(sampler);
  if (!result.ok) throw new Error(`copy failed: ${result.message}`);
  copy.requests.push(client.requestCount - before);
  copy.rssMiB.push((rssPeak - rssBefore) / (1 << 20));
  before = client.requestCount;
  start = performance.now();
  await server.serve(request);
  again.ms.push(performance.now() - start);
  again.requests.push(client.requestCount - before);
  await client.close();
  if (round % 2 === 0) skopeoCopy(integrated, round);
  await integrated.stop();
}

const mib = image.bytes / (1 << 20);
console.log(
  `\nreferencePolicy: Local, local mode — copy of one image (${mib.toFixed(1)} MiB: 3 layers, config, manifest), ${rounds} rounds, median (min–max)\n`,
);
console.log('| what | time | registry requests | peak RSS growth |');
console.log('| --- | --- | --- | --- |');
console.log(
  `| first copy into a stream's repository | ${spread(copy.ms, 'ms')} | ${spread(copy.requests, '')} | ${spread(copy.rssMiB, 'MiB', 1)} |`,
);
console.log(`| same digest served again | ${spread(again.ms, 'ms', 1)} | ${spread(again.requests, '')} | — |`);
console.log(
  skopeo.length
    ? `| baseline: skopeo copy, same registries | ${spread(skopeo, 'ms')} | — | — |`
    : '| baseline: skopeo copy | not installed | — | — |',
);
console.log(`\nthroughput of the first copy: ${(mib / (median(copy.ms) / 1000)).toFixed(0)} MiB/s (median)`);
await source.stop();
