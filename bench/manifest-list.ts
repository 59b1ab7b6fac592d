// Worst-case manifest-list import: a PreserveOriginal import of a very wide index (2,000 entries by
// default) pushed to the local registry, through a counting proxy. Per setting: peak registry requests in
// flight at once, total requests, RSS of this process (sampled while importing) and wall time. The
// baseline is the same import with the bounds set out of the way (main's unbounded fan-out), in the same run.
import { performance } from 'node:perf_hooks';
import { ImageImporter } from '../core/use-cases/image-importer.ts';
import { startApi } from '../test/support/api-under-test.ts';
import { startFaultProxy } from '../test/support/fault-proxy.ts';
import { pushWideIndex } from '../test/support/push-image.ts';
import { startRegistry } from '../test/support/registry.ts';

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

export async function manifestListBench(options: { entries: number }): Promise<string[][]> {
  const registry = await startRegistry();
  const proxy = await startFaultProxy(registry.url);
  const rows: string[][] = [
    [
      `manifest-list import, ${options.entries}-entry index (PreserveOriginal)`,
      'peak requests issued at once (client)',
      'peak on the wire (proxy)',
      'registry requests',
      'RSS before → peak (MB)',
      'wall (s)',
      'result',
    ],
  ];
  try {
    const index = await pushWideIndex(registry, 'bench/wide', 'v1', options.entries);
    const runs: [string, Record<string, string>][] = [
      ['defaults (256 entries max): refused', {}],
      ['entries allowed, default concurrency (8)', { IMAGESTREAMS_MAX_MANIFEST_LIST_ENTRIES: String(options.entries) }],
      [
        'bounds out of the way (baseline: main)',
        {
          IMAGESTREAMS_MAX_MANIFEST_LIST_ENTRIES: String(options.entries),
          IMAGESTREAMS_MANIFEST_LIST_CONCURRENCY: String(options.entries * 4),
        },
      ],
    ];
    for (const [label, env] of runs) {
      const api = await startApi({
        IMAGESTREAMS_INSECURE_REGISTRIES: proxy.host,
        ...env,
      });
      try {
        globalThis.gc?.();
        proxy.clear();
        const before = process.memoryUsage().rss;
        let peak = before;
        const sampler = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage().rss);
        }, 5);
        // The importer the service builds, on its registry client and store, as a dry run (no image
        // writes): the API's 30 s request budget would cut a 2,000-entry import short.
        const { config, registry: client } = api.deps;
        const importer = new ImageImporter({
          registry: client,
          images: api.stores.images,
          now: () => new Date().toISOString(),
          allowedRegistries: [],
          maxIndexEntries: config.maxManifestListEntries,
          childConcurrency: config.manifestListConcurrency,
        });
        const start = performance.now();
        const result = await importer
          .import(
            { from: `${proxy.host}/bench/wide:v1`, importMode: 'PreserveOriginal', insecure: true },
            undefined,
            undefined,
            false,
          )
          .then(
            (imported) =>
              imported.digest === index.digest ? `imported ${imported.manifests.length} entries` : 'wrong',
            (error: Error & { importReason?: string }) => `refused (${error.importReason ?? error.message})`,
          );
        const wall = (performance.now() - start) / 1000;
        clearInterval(sampler);
        peak = Math.max(peak, process.memoryUsage().rss);
        rows.push([
          label,
          String(client.peakInFlight()),
          String(proxy.peakInFlight()),
          String(proxy.seen.length),
          `${mb(before)} → ${mb(peak)}`,
          wall.toFixed(1),
          result,
        ]);
      } finally {
        await api.close();
      }
    }
  } finally {
    await proxy.stop();
    await registry.stop();
  }
  return rows;
}

// `npm run bench:manifest-list` runs this part alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await manifestListBench({ entries: Number(process.env.BENCH_INDEX_ENTRIES ?? 2000) });
  for (const row of rows) console.log(row.join(' | '));
}
