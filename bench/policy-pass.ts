// A scheduled pass over policy tags (issue 12): P tags following R repositories of T tags each, behind
// the paging proxy (100 tags a page, Link headers) in front of the real registry. Counts registry
// requests per pass against the floor (R × pages + P HEADs) and DynamoDB writes when nothing moved.
// The listings hold T names each, but only the winner is a pushed manifest: the proxy adds the rest.
import { performance } from 'node:perf_hooks';
import type { TagRecord } from '../core/streams/types.ts';
import { startApi } from '../test/support/api-under-test.ts';
import { startPagingProxy } from '../test/support/paging-proxy.ts';
import { pushImage } from '../test/support/push-image.ts';
import { startRegistry } from '../test/support/registry.ts';
import { streamRecord } from '../test/support/stream-record.ts';

export async function policyPassBench(options: {
  repositories: number;
  tagsPerRepository: number;
  policyTags: number;
}): Promise<string[][]> {
  const { repositories, tagsPerRepository, policyTags } = options;
  const pageSize = 100;
  const losers = (n: number) =>
    Array.from({ length: n }, (_, i) => (i % 4 === 3 ? `junk-${i}.sig` : `${i % 5}.${Math.floor(i / 5) % 40}.${i}`));
  const registry = await startRegistry();
  const proxy = await startPagingProxy(registry.url, pageSize, () => losers(tagsPerRepository - 1));
  const api = await startApi({
    IMAGESTREAMS_INSECURE_REGISTRIES: proxy.host,
    IMAGESTREAMS_SCHEDULE_INTERVAL_SECONDS: '60', // one tick visits every slot: the whole pass at once
    IMAGESTREAMS_REGISTRY_RATE_PER_SECOND: '1000000',
    IMAGESTREAMS_MAX_CHECKS_PER_TICK: String(policyTags * 2),
    IMAGESTREAMS_POLICY_MAX_TAG_PAGES: String(Math.ceil(tagsPerRepository / pageSize) + 1),
    IMAGESTREAMS_TICK_BUDGET_MS: '600000', // the first pass imports every tag; it must finish in one tick
  });
  try {
    for (let r = 0; r < repositories; r++) await pushImage(registry, `bench/p${r}`, '9.0.0');
    // Ten tags per stream, as a team would have them: each import re-reads only its own stream.
    const streams = Array.from({ length: Math.ceil(policyTags / 10) }, (_, s) => ({
      namespace: 'bench',
      name: `policy-${s}`,
      uid: `bench-policy-${s}`,
    }));
    for (const stream of streams)
      await api.stores.streams.createStream(streamRecord({ ...stream, creationTimestamp: new Date().toISOString() }));
    const tags: TagRecord[] = Array.from({ length: policyTags }, (_, i) => ({
      name: `t${i}`,
      spec: {
        name: `t${i}`,
        from: { kind: 'DockerImage', name: `${proxy.host}/bench/p${i % repositories}` },
        importPolicy: { scheduled: true, importMode: 'PreserveOriginal' },
        referencePolicy: { type: 'Source' },
        annotations: { 'imagestreams.dev/policy': i % 2 ? 'semver: >=1.0.0' : 'semver: ^9.0.0' },
        generation: 1,
      },
      items: [],
      conditions: [],
      version: 0,
    }));
    for (let i = 0; i < tags.length; i += 50)
      await Promise.all(
        tags.slice(i, i + 50).map((tag, k) =>
          api.deps.writer.write(streams[Math.floor((i + k) / 10)] as (typeof streams)[0], [], [tag], {
            cause: 'tag',
            actor: 'bench',
          }),
        ),
      );

    const pass = async () => {
      proxy.clear();
      api.dynalite.requests.clear();
      const started = performance.now();
      const report = await api.deps.scheduler.tick();
      const ms = performance.now() - started;
      const pages = proxy.seen.filter((r) => r.includes('/tags/list')).length;
      const heads = proxy.seen.filter((r) => r.startsWith('HEAD ')).length;
      const writes = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].reduce(
        (sum, op) => sum + (api.dynalite.requests.get(op) ?? 0),
        0,
      );
      return { report, ms, pages, heads, all: proxy.seen.length, writes };
    };
    const first = await pass();
    const second = await pass();
    const floor = repositories * Math.ceil(tagsPerRepository / pageSize) + policyTags;
    const title = `policy pass: ${policyTags} tags following ${repositories} repositories of ${tagsPerRepository} tags`;
    return [
      [title, 'registry requests', 'floor', 'listing pages', 'HEADs', 'DynamoDB writes', 'ms'],
      [
        `first pass (${first.report.changed} moved)`,
        String(first.all),
        '',
        String(first.pages),
        String(first.heads),
        String(first.writes),
        first.ms.toFixed(0),
      ],
      [
        `nothing moved (${second.report.unchanged} unchanged)`,
        String(second.all),
        String(floor),
        String(second.pages),
        String(second.heads),
        String(second.writes),
        second.ms.toFixed(0),
      ],
    ];
  } finally {
    await api.close();
    await proxy.stop();
    await registry.stop();
  }
}
