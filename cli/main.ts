// The `imagestreams` program (also `kubectl-imagestreams`): bin/imagestreams runs this file's bundle on Node 24.
import { runCli } from './run-cli.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  // Node builds process.stderr (and its colour and diff helpers) on first touch: a run that writes
  // nothing there should not pay for it.
  stderr: {
    write: (text: string) => process.stderr.write(text),
    get isTTY() {
      return process.stderr.isTTY;
    },
  },
  env: process.env,
});
