// The `imagestreams` program (also `kubectl-imagestreams`): bin/imagestreams runs this file's bundle on Node 24.
import { enableCompileCache } from 'node:module';
import { runCli } from './run-cli.ts';

// Startup dominates a one-request CLI: keep V8's compiled code between runs (in the OS temp dir).
enableCompileCache?.();
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
