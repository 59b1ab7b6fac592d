import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, cliBundle } from '../../scripts/build-cli.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The bin as npm links it: a user runs this file (or a symlink named kubectl-imagestreams to it). */
export const cliBin = join(root, 'bin/imagestreams');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let built: Promise<void> | undefined;
let cacheDir: string | undefined;
const testCache = () => (cacheDir ??= mkdtempSync(join(tmpdir(), 'imagestreams-cli-cache-')));

/** Builds the bundle the bin runs when a source of it is newer (what `npm install` does), once per test process. */
export function ensureCliBuilt(): Promise<void> {
  built ??= (async () => {
    let bundleTime = 0;
    try {
      bundleTime = statSync(cliBundle).mtimeMs;
    } catch {}
    // What the bundle is built from: its sources, and the build script with the esbuild plugins it uses.
    const sources = Math.max(
      newestSource(join(root, 'cli')),
      newestSource(join(root, 'core')),
      statSync(join(root, 'scripts', 'build-cli.ts')).mtimeMs,
      statSync(join(root, 'functions', 'lib', 'esbuild-plugins.mjs')).mtimeMs,
    );
    if (sources > bundleTime) await buildCli();
  })();
  return built;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a process, with only the environment given (plus PATH and HOME), never rejecting on exit codes. */
export function runCliProcess(
  args: string[],
  options: { env?: Record<string, string>; bin?: string } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(options.bin ?? cliBin, args, {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: options.env?.HOME ?? '/nonexistent-home',
        // Node's compile cache goes under XDG_CACHE_HOME (else HOME): a folder of this test run, never HOME.
        XDG_CACHE_HOME: testCache(),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}
