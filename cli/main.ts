// The `imagestreams` program (also `kubectl-imagestreams`): bin/imagestreams runs this file's bundle on Node 24.
import { runCli } from './run-cli.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
