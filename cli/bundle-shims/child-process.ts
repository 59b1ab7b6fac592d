// Stands in for node:child_process where @kubernetes/client-node imports it (exec credential plugins,
// the gcp and azure auth-providers, WSL lookups): loading Node's module costs a few ms that a kubeconfig
// with a token never needs, so the real one is required by the first call.
import type * as ChildProcess from 'node:child_process';

const real = (): typeof ChildProcess => require('node:child_process');

export default {
  spawn: ((...args: Parameters<typeof ChildProcess.spawn>) => real().spawn(...args)) as typeof ChildProcess.spawn,
  spawnSync: ((...args: Parameters<typeof ChildProcess.spawnSync>) =>
    real().spawnSync(...args)) as typeof ChildProcess.spawnSync,
  execSync: ((...args: Parameters<typeof ChildProcess.execSync>) =>
    real().execSync(...args)) as typeof ChildProcess.execSync,
};
