// Signature verification (issue 16): what a changed tag costs with imagestreams.dev/verify (key) against the
// same tag without it, in registry requests and milliseconds of a scheduled pass, and what an unchanged tag
// costs (one HEAD, nothing more). Real registry, dynalite, cosign signatures made with node:crypto.
// Run alone with `npm run bench:verify`.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startApi } from '../test/support/api-under-test.ts';
import { pushCosignSignature, pushImage, simpleSigningPayload } from '../test/support/push-image.ts';
import { startRegistry } from '../test/support/registry.ts';

const tags = Number(process.env.TAGS ?? 20);
const rounds = Number(process.env.ROUNDS ?? 3);

const registry = await startRegistry();
let now = new Date('2026-11-27T12:00:00Z');
const api = await startApi(
  {
    IMAGESTREAMS_INSECURE_REGISTRIES: registry.host,
    IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
    IMAGESTREAMS_SCHEDULE_INTERVAL_SECONDS: '60',
  },
  { now: () => now },
);
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
await api.call('POST', '/api/v1/namespaces/bench/secrets', {
  body: {
    metadata: { name: 'cosign-pub' },
    type: 'Opaque',
    stringData: { 'cosign.pub': key.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  },
});
const verify = { 'imagestreams.dev/verify': 'key', 'imagestreams.dev/verify-key': 'secret/cosign-pub' };
const kinds = [
  ['without verification', {}],
  ['with verification (keyed, .sig tag)', verify],
] as const;

async function pushSigned(repo: string) {
  const image = await pushImage(registry, repo, 'release');
  const payload = simpleSigningPayload(`${registry.host}/${repo}`, image.digest);
  const signature = sign('sha256', payload, key.privateKey).toString('base64');
  await pushCosignSignature(registry, repo, image.digest, [
    { payload, annotations: { 'dev.cosignproject.cosign/signature': signature } },
  ]);
}

const rows: string[][] = [['scheduled pass', 'registry req / tag', 'ms / tag (median)']];
for (const [name, annotations] of kinds) {
  const stream = annotations === verify ? 'signed' : 'plain';
  for (let i = 0; i < tags; i++) await pushSigned(`bench/${stream}-${i}`);
  const response = await api.call('POST', '/apis/image.openshift.io/v1/namespaces/bench/imagestreams', {
    body: {
      metadata: { name: stream },
      spec: {
        tags: Array.from({ length: tags }, (_, i) => ({
          name: `t${i}`,
          from: { kind: 'DockerImage', name: `${registry.host}/bench/${stream}-${i}:release` },
          importPolicy: { scheduled: true },
          annotations,
        })),
      },
    },
  });
  if (response.status !== 201) throw new Error(JSON.stringify(response.json));
  const changed: { req: number; ms: number }[] = [];
  const unchanged: { req: number; ms: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < tags; i++) await pushSigned(`bench/${stream}-${i}`);
    for (const sink of [changed, unchanged]) {
      now = new Date(now.getTime() + 3600_000);
      const before = api.deps.registry.requestCount();
      const started = performance.now();
      const result = await api.deps.scheduler.tick();
      sink.push({ req: (api.deps.registry.requestCount() - before) / tags, ms: (performance.now() - started) / tags });
      const expected = sink === changed ? tags : 0;
      if (result.changed !== expected)
        throw new Error(`${name}: ${JSON.stringify(result)}, expected ${expected} changed`);
    }
  }
  // The next kind's passes must see only its own tags.
  await api.call('DELETE', `/apis/image.openshift.io/v1/namespaces/bench/imagestreams/${stream}`);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  rows.push([
    `changed tag, ${name}`,
    median(changed.map((c) => c.req)).toFixed(2),
    median(changed.map((c) => c.ms)).toFixed(2),
  ]);
  rows.push([
    `unchanged tag, ${name}`,
    median(unchanged.map((c) => c.req)).toFixed(2),
    median(unchanged.map((c) => c.ms)).toFixed(2),
  ]);
}
await api.close();
await registry.stop();
console.log(`${tags} tags per pass, ${rounds} rounds; registry requests counted by the service's client`);
for (const row of rows) console.log(row.map((c, i) => (i === 0 ? c.padEnd(50) : c.padStart(20))).join(''));
