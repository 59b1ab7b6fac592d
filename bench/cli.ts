// `npm run bench:cli`: the wall time of one `imagestreams tag` (a process doing one PUT) against one
// `kubectl get --raw` of the same tag (a process doing one GET), over HTTPS to the local service; target
// ≤ 1.5× kubectl. Beside them, to show where the time goes: bare Node.js, Node.js sending the same PUT with
// nothing else, and `kubectl replace --raw` sending that PUT (the same server work as the CLI's). The CLI
// runs twice per round: with the compile cache its launcher keeps warm (a user's every run after the
// first), and with an empty one (the first run after an install or upgrade). Every case runs once per
// round, the order reversed every other round; medians with min–max. Server time is the handler's.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeKubeconfig } from '../functions/local/kubeconfig.ts';
import { startApi, tokens } from '../test/support/api-under-test.ts';
import { cliBin, ensureCliBuilt } from '../test/support/cli-process.ts';
import { kubectlBinary } from '../test/support/kubectl.ts';
import { pushImage } from '../test/support/push-image.ts';
import { startRegistry } from '../test/support/registry.ts';
import { interleaved, median, printTable, spread } from './stats.ts';

const rounds = Number(process.env.BENCH_CLI_ROUNDS || 21);
const rawRequest = fileURLToPath(new URL('./cli-raw-request.mjs', import.meta.url));

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(performance.now() - start) : reject(new Error(`${command} ${args.join(' ')}: ${stderr}`)),
    );
  });
}

export async function cliBench(): Promise<void> {
  await ensureCliBuilt();
  const registry = await startRegistry();
  const api = await startApi({ IMAGESTREAMS_INSECURE_REGISTRIES: registry.host });
  const dir = await mkdtemp(join(tmpdir(), 'imagestreams-bench-cli-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfig, { server: api.url, ca: api.ca, token: tokens.alice, namespace: 'demo' });
    // process.execPath: the Node.js 24 the npm script runs on, the one the launcher picks.
    const env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig };
    const pushed = await pushImage(registry, 'team/app', 'v1');
    await timed(cliBin, ['tag', `${registry.host}/team/app:v1`, 'app:v1'], env);
    // Pinning to an image of the stream: the CLI sends one PUT, the service reads no registry.
    const tagArgs = ['tag', `app@${pushed.digest}`, 'app:pinned'];
    const path = '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/app:pinned';
    const body = join(dir, 'istag.json');
    const ca = join(dir, 'ca.pem');
    await writeFile(ca, api.ca);
    // The body the CLI sends for tagArgs, so that the raw PUTs do the same server work.
    await writeFile(
      body,
      JSON.stringify({
        kind: 'ImageStreamTag',
        apiVersion: 'image.openshift.io/v1',
        metadata: { name: 'app:pinned', namespace: 'demo' },
        tag: {
          name: 'pinned',
          from: { kind: 'ImageStreamImage', name: `app@${pushed.digest}` },
          importPolicy: {},
          referencePolicy: { type: 'Source' },
        },
      }),
    );
    const serverMs: Record<string, number[]> = {};
    const measured = (label: string, run: () => Promise<number>) => async () => {
      const before = api.requests.length;
      const ms = await run();
      (serverMs[label] ??= []).push(...api.requests.slice(before).map((r) => r.ms));
      return ms;
    };
    let fresh = 0;
    const cases = {
      bare: measured('bare', () => timed(process.execPath, ['-e', '0'], env)),
      raw: measured('raw', () =>
        timed(process.execPath, [rawRequest, 'PUT', api.url + path, ca, tokens.alice, body], env),
      ),
      warm: measured('warm', () => timed(cliBin, tagArgs, env)),
      first: measured('first', async () => {
        const cache = join(dir, `cache-${fresh++}`); // a compile cache that does not exist yet
        return timed(cliBin, tagArgs, { ...env, XDG_CACHE_HOME: cache });
      }),
      get: measured('get', () => timed(kubectlBinary, ['get', '--raw', path], env)),
      replace: measured('replace', () => timed(kubectlBinary, ['replace', '--raw', path, '-f', body], env)),
    };
    for (const run of Object.values(cases)) await run(); // creates the tag, warms the compile cache and the file cache
    for (const k of Object.keys(serverMs)) serverMs[k] = [];
    const samples = await interleaved(rounds, cases);
    const kubectl = median(samples.get);
    const row = (label: string, key: keyof typeof cases, requests: string) => {
      const s = spread(samples[key]);
      const server = serverMs[key]?.length ? spread(serverMs[key], 1).text : '–';
      return [label, requests, s.text, `${(s.median / kubectl).toFixed(2)}×`, server];
    };
    printTable([
      ['', 'requests', 'wall ms', '÷ kubectl get', 'server ms'],
      row('bare node -e 0', 'bare', '0'),
      row('node: one HTTPS PUT, nothing else', 'raw', '1 PUT'),
      row('imagestreams tag, compile cache warm', 'warm', '1 PUT'),
      row('imagestreams tag, first run (empty cache)', 'first', '1 PUT'),
      row('kubectl get --raw (the baseline)', 'get', '1 GET'),
      row('kubectl replace --raw, same body', 'replace', '1 PUT'),
    ]);
    console.log(
      `\n${rounds} interleaved rounds. Target: imagestreams tag ≤ 1.5× kubectl get --raw; ` +
        `warm ${(median(samples.warm) / kubectl).toFixed(2)}×, first run ${(median(samples.first) / kubectl).toFixed(2)}×.`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    await api.close();
    await registry.stop();
  }
}

if (process.argv[1]?.endsWith('bench/cli.ts')) await cliBench();
