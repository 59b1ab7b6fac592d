// Bundles the CLI into dist/imagestreams.mjs, run by bin/imagestreams. Part of `npm install` (prepare)
// and of the CLI tests. Why a bundle: @kubernetes/client-node loads its whole generated API client
// (thousands of modules) even for KubeConfig alone, which costs seconds per run; bundled with its
// modules marked side-effect free, only KubeConfig and what it uses remain, in one file.
import { mkdir, rename } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const cliBundle = resolve(root, 'dist/imagestreams.mjs');

/** client-node's modules only declare things; letting esbuild drop the unused ones is what makes it small. */
const sideEffectFree: Plugin = {
  name: 'client-node-side-effect-free',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'resolving',
      });
      if (resolved.errors.length) return resolved;
      return resolved.path.includes('/@kubernetes/client-node/') ? { ...resolved, sideEffects: false } : resolved;
    });
  },
};

export async function buildCli(): Promise<string> {
  await mkdir(dirname(cliBundle), { recursive: true });
  // Written aside and renamed, so that a run (or a parallel test file) never sees half a file.
  const temporary = `${cliBundle}.${process.pid}.tmp`;
  await build({
    entryPoints: [resolve(root, 'cli/main.ts')],
    outfile: temporary,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    legalComments: 'eof',
    // ws's optional native helpers; absent, ws uses its JavaScript code.
    external: ['bufferutil', 'utf-8-validate'],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    plugins: [sideEffectFree],
    logLevel: 'warning',
  });
  await rename(temporary, cliBundle);
  return cliBundle;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
