// `npm run bench:cli`: the wall time of one `imagestreams tag` (a process doing one PUT) against one
// `kubectl get --raw` of the same tag (a process doing one GET), over HTTPS to the local service.
// Interleaved rounds so both see the same machine load; medians with min–max. Target: ≤ 1.5× kubectl.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeKubeconfig } from '../functions/local/kubeconfig.ts';
import { startApi, tokens } from '../test/support/api-under-test.ts';
import { cliBin, ensureCliBuilt } from '../test/support/cli-process.ts';
import { kubectlBinary } from '../test/support/kubectl.ts';
import { pushImage } from '../test/support/push-image.ts';
import { startRegistry } from '../test/support/registry.ts';

const rounds = Number(process.env.BENCH_CLI_ROUNDS || 15);

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

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const summary = (values: number[]) =>
  `${median(values).toFixed(0)} ms (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;

export async function cliBench(): Promise<void> {
  await ensureCliBuilt();
  const registry = await startRegistry();
  const api = await startApi({ IMAGESTREAMS_INSECURE_REGISTRIES: registry.host });
  const dir = await mkdtemp(join(tmpdir(), 'imagestreams-bench-cli-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfig, { server: api.url, ca: api.ca, token: tokens.alice, namespace: 'demo' });
    const env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig };
    const pushed = await pushImage(registry, 'team/app', 'v1');
    await timed(cliBin, ['tag', `${registry.host}/team/app:v1`, 'app:v1'], env);
    // Pinning to an image of the stream: the CLI sends one PUT, the service reads no registry.
    const tagArgs = ['tag', `app@${pushed.digest}`, 'app:pinned'];
    const rawArgs = ['get', '--raw', '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/app:pinned'];
    await timed(cliBin, tagArgs, env); // creates the tag; warms the compile cache as a user's second run would be
    await timed(kubectlBinary, rawArgs, env);
    const cli: number[] = [];
    const kubectl: number[] = [];
    for (let i = 0; i < rounds; i++) {
      cli.push(await timed(cliBin, tagArgs, env));
      kubectl.push(await timed(kubectlBinary, rawArgs, env));
    }
    console.table({
      'imagestreams tag (1 PUT)': { wall: summary(cli) },
      'kubectl get --raw (1 GET)': { wall: summary(kubectl) },
      ratio: { wall: `${(median(cli) / median(kubectl)).toFixed(2)}× (target ≤ 1.5×), ${rounds} interleaved rounds` },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
    await api.close();
    await registry.stop();
  }
}

if (process.argv[1]?.endsWith('bench/cli.ts')) await cliBench();
