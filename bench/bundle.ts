// The API handler as SST deploys it (functions/lib/bundle-options.ts, read by sst.config.ts too): bytes
// shipped, bytes evaluated at cold start, and a fresh process's import and first response against a bare
// `node -e 0`. One process per sample; every round runs each case once, in an order reversed every other
// round, so that the machine's load falls on all cases alike. Medians with min–max.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build, type Metafile } from 'esbuild';
import { ensureTable } from '../core/adapters/dynamodb/create-table.ts';
import { lambdaBundling, sstEquivalentBuild } from '../functions/lib/bundle-options.ts';
import { startDynalite } from '../functions/local/dynalite.ts';
import { spread } from './stats.ts';

interface Built {
  label: string;
  entry: string;
  /** JavaScript bytes in the package (source maps are uploaded apart, not shipped in the zip). */
  total: number;
  /** JavaScript bytes the entry loads before its first line runs: the entry and its static chunks. */
  atImport: number;
}

/** Bytes of the entry output and of every chunk it reaches through static imports. */
function sizes(metafile: Metafile): { entry: string; total: number; atImport: number } {
  const outputs = metafile.outputs;
  const js = Object.keys(outputs).filter((path) => path.endsWith('.mjs'));
  const entry = js.find((path) => outputs[path]?.entryPoint === 'functions/api.ts') as string;
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imported of outputs[path]?.imports ?? []) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entry);
  const bytes = (paths: Iterable<string>) => [...paths].reduce((sum, path) => sum + (outputs[path]?.bytes ?? 0), 0);
  return { entry, total: bytes(js), atImport: bytes(seen) };
}

async function buildApi(
  dir: string,
  label: string,
  variant: { sdkInside?: boolean; before?: boolean; noPlugins?: boolean; checkout?: string } = {},
): Promise<Built> {
  const outdir = join(dir, label.replace(/\W+/g, '-'));
  const root = variant.checkout ?? process.cwd();
  // Another checkout (BENCH_COMPARE) is built with its own options and plugins, as it would deploy.
  const build_ = variant.checkout
    ? (
        (await import(join(root, 'functions/lib/bundle-options.ts'))) as {
          sstEquivalentBuild: typeof sstEquivalentBuild;
        }
      ).sstEquivalentBuild
    : sstEquivalentBuild;
  const options = build_('functions/api.ts', outdir);
  if (variant.sdkInside === false) options.external = [...(options.external ?? []), '@aws-sdk/*', '@smithy/*'];
  if (variant.before || variant.noPlugins) options.plugins = [];
  if (variant.before) {
    // What SST built before the options were declared: its defaults (no minify, no splitting, no maps).
    options.minify = false;
    options.splitting = false;
    options.sourcemap = false;
  }
  const result = await build({ ...options, absWorkingDir: root });
  const { entry, total, atImport } = sizes(result.metafile as Metafile);
  return { label, entry: join(root, entry), total, atImport };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

export async function bundleBench(options: { rounds: number }): Promise<string[][]> {
  // Inside the project, so that a bundle without the SDK finds it in node_modules as Lambda's runtime provides it.
  const dir = await mkdtemp(join(process.cwd(), '.bench-'));
  const dynalite = await startDynalite();
  const dynamo = new DynamoDBClient({
    endpoint: dynalite.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  try {
    await ensureTable(dynamo, 'bench');
    const compare = process.env.BENCH_COMPARE;
    const bundles = [
      await buildApi(dir, 'before: SST defaults, SDK inside', { before: true }),
      ...(compare ? [await buildApi(dir, `as shipped by ${compare}`, { checkout: compare })] : []),
      await buildApi(dir, 'shipped: SDK inside'),
      await buildApi(dir, 'shipped without our esbuild plugins', { noPlugins: true }),
      await buildApi(dir, 'alternative: SDK from the runtime', { sdkInside: false }),
    ];
    const event = JSON.parse(await readFile('test/fixtures/events/apigw-v2-jwt.json', 'utf8'));
    event.requestContext.http.path = event.rawPath = '/apis/image.openshift.io/v1/namespaces/bench/imagestreams/app';
    event.pathParameters = { namespace: 'bench', name: 'app' };
    const driver = join(dir, 'driver.mjs');
    // Imports the bundle, then (with a second argument) answers one GET, as Lambda's first invocation would.
    await writeFile(
      driver,
      [
        'const { handler } = await import(process.argv[2]);',
        'if (process.argv[3]) {',
        "  const res = await handler(JSON.parse(process.env.BENCH_EVENT), { awsRequestId: 'cold' });",
        '  if (res.statusCode !== 200 && res.statusCode !== 404) { console.error(res); process.exit(1); }',
        '}',
        'const cpu = process.cpuUsage();',
        'console.log((cpu.user + cpu.system) / 1000);',
        'process.exit(0);',
        '',
      ].join('\n'),
    );
    const env = {
      ...process.env,
      IMAGESTREAMS_TABLE: 'bench',
      IMAGESTREAMS_DYNAMODB_ENDPOINT: dynalite.endpoint,
      IMAGESTREAMS_EVENT_BUS: 'bench',
      IMAGESTREAMS_EVENTBRIDGE_ENDPOINT: 'http://127.0.0.1:9',
      IMAGESTREAMS_ADMINS: event.requestContext.authorizer.jwt.claims.sub,
      AWS_REGION: 'local',
      BENCH_EVENT: JSON.stringify(event),
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      NODE_OPTIONS: '',
    };
    // Wall time from spawn to exit, and the process's own CPU time (less sensitive to the machine's load).
    const run = (args: string[]) =>
      new Promise<{ wall: number; cpu: number }>((resolve, reject) => {
        const start = performance.now();
        const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.on('close', (code) =>
          code === 0
            ? resolve({ wall: performance.now() - start, cpu: Number(out) })
            : reject(new Error(`${args.join(' ')} exited ${code}`)),
        );
      });
    const cases: { label: string; args: string[] }[] = [
      { label: 'bare', args: ['-e', 'const c = process.cpuUsage(); console.log((c.user + c.system) / 1000)'] },
      ...bundles.flatMap((b) => [
        { label: `${b.label} import`, args: [driver, b.entry] },
        { label: `${b.label} first`, args: [driver, b.entry, 'request'] },
      ]),
    ];
    for (const c of cases) await run(c.args); // warm the file cache
    const samples = new Map<string, { wall: number; cpu: number }[]>(cases.map((c) => [c.label, []]));
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 ? [...cases].reverse() : cases;
      for (const c of order) samples.get(c.label)?.push(await run(c.args));
    }
    const of = (label: string) => {
      const s = samples.get(label) ?? [];
      return { wall: spread(s.map((x) => x.wall)), cpu: spread(s.map((x) => x.cpu)) };
    };
    const bare = of('bare');
    const cell = (m: ReturnType<typeof of>) =>
      `${m.wall.text} (${(m.wall.median / bare.wall.median).toFixed(2)}x); CPU ${m.cpu.text} (${(m.cpu.median / bare.cpu.median).toFixed(2)}x)`;
    const rows: string[][] = [
      [
        `API handler as deployed (${lambdaBundling.format}, minify ${lambdaBundling.minify}, splitting ${lambdaBundling.splitting}; median and min–max of ${options.rounds} interleaved fresh processes)`,
        'JS shipped / loaded at import',
        'process: import, wall ms (x bare); CPU ms',
        'process: import + first GET, wall ms (x bare); CPU ms',
      ],
      ['bare `node -e 0` (baseline)', '-', `${bare.wall.text}; CPU ${bare.cpu.text}`, '-'],
    ];
    for (const b of bundles)
      rows.push([
        b.label,
        `${kib(b.total)} / ${kib(b.atImport)}`,
        cell(of(`${b.label} import`)),
        cell(of(`${b.label} first`)),
      ]);
    return rows;
  } finally {
    dynamo.destroy();
    await dynalite.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// BENCH_COMPARE=<another checkout> adds its API handler, built with its own options, to the same rounds.
if (import.meta.main) {
  const { printTable } = await import('./stats.ts');
  printTable(await bundleBench({ rounds: Number(process.env.BENCH_COLD_RUNS ?? 11) }));
}
