import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKubeconfig } from '../../functions/local/kubeconfig.ts';

/** The real kubectl of the machine image (v1.32, behind Google Cloud SDK's version dispatcher). */
export const kubectlBinary = '/usr/bin/kubectl';

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

export interface Kubectl {
  kubeconfig: string;
  /** Runs kubectl with this kubeconfig and a cache of its own; never rejects on a non-zero exit. */
  run(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<KubectlResult>;
  /** Starts kubectl for a command that keeps running (get -w): read its output as it comes, stop it when done. */
  start(args: string[]): RunningKubectl;
  close(): Promise<void>;
}

export interface RunningKubectl {
  /** Resolves once kubectl's output so far satisfies `until` (rejects if kubectl exits first). */
  output(until: (stdout: string) => boolean): Promise<string>;
  /** Resolves when kubectl exits, with all it wrote. */
  exited: Promise<KubectlResult>;
  kill(): void;
}

export type KubectlTarget = { kubeconfig: string } | { url: string; ca: string; token?: string; namespace?: string };

/**
 * kubectl against a service: with a given kubeconfig (as `npm start` writes it) or one written here
 * for a URL, CA and token. Its discovery and HTTP caches live in a temp dir of their own, so tests
 * never share what kubectl remembers.
 */
export async function kubectlFor(target: KubectlTarget): Promise<Kubectl> {
  try {
    await access(kubectlBinary, constants.X_OK);
  } catch {
    throw new Error(
      `kubectl not found at ${kubectlBinary}: the kubectl tests run the real binary (the machine image ships it; .ci/run checks it)`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'imagestreams-kubectl-'));
  let kubeconfig: string;
  if ('kubeconfig' in target) kubeconfig = target.kubeconfig;
  else {
    kubeconfig = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfig, { namespace: 'default', ...target, server: target.url });
  }
  return {
    kubeconfig,
    run: (args, options = {}) =>
      new Promise((resolve, reject) => {
        const child = spawn(kubectlBinary, ['--cache-dir', join(dir, 'cache'), ...args], {
          env: { ...process.env, ...options.env, KUBECONFIG: kubeconfig },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.once('error', reject);
        // kubectl may stop reading its input early (a refused upload); what it did not read does not matter.
        child.stdin.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code !== 'EPIPE') reject(error);
        });
        child.once('close', (code) => resolve({ stdout, stderr, code }));
        child.stdin.end(options.input ?? '');
      }),
    start: (args) => {
      const child = spawn(kubectlBinary, ['--cache-dir', join(dir, 'cache'), ...args], {
        env: { ...process.env, KUBECONFIG: kubeconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      const waiters = new Set<() => void>();
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        for (const check of waiters) check();
      });
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const exited = new Promise<KubectlResult>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code) => {
          for (const check of waiters) check();
          resolve({ stdout, stderr, code });
        });
      });
      return {
        exited,
        output: (until) =>
          new Promise((resolve, reject) => {
            const check = () => {
              if (until(stdout)) {
                waiters.delete(check);
                resolve(stdout);
              } else if (child.exitCode !== null || child.signalCode !== null) {
                waiters.delete(check);
                reject(new Error(`kubectl exited before the expected output; stdout: ${stdout}; stderr: ${stderr}`));
              }
            };
            waiters.add(check);
            check();
          }),
        kill: () => void child.kill(),
      };
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
