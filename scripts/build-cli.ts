// Bundles the CLI into dist/imagestreams.mjs, run by bin/imagestreams. Part of `npm install` (prepare)
// and of the CLI tests. Why a bundle: @kubernetes/client-node loads its whole generated API client
// (thousands of modules) even for KubeConfig alone, which costs seconds per run; bundled with its
// modules marked side-effect free, only KubeConfig and what it uses remain, in one file.
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { loadOnFirstUse } from '../functions/lib/esbuild-plugins.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(root, 'dist/cli');
/** The entry the bin runs; the chunks beside it load on demand (YAML only for -o yaml and the library). */
export const cliBundle = resolve(outdir, 'imagestreams.mjs');

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

/**
 * The proxy agents @kubernetes/client-node imports at load for a cluster's `proxy-url`, which most
 * kubeconfigs never set: its imports of them get a stand-in (cli/bundle-shims/proxy-agents.ts) that loads
 * them on first use; the stand-in's own imports resolve as usual.
 */
const proxyAgentsOnFirstUse: Plugin = {
  name: 'proxy-agents-on-first-use',
  setup(b) {
    b.onResolve({ filter: /^(socks-proxy-agent|socks|hpagent)$/ }, (args) =>
      args.importer.includes('/@kubernetes/client-node/') && args.kind === 'import-statement'
        ? { path: resolve(root, 'cli/bundle-shims/proxy-agents.ts') }
        : undefined,
    );
  },
};

export async function buildCli(): Promise<string> {
  // Built aside and renamed, so that a run (or a parallel test file) never sees half a bundle.
  const temporary = `${outdir}.${process.pid}.tmp`;
  await rm(temporary, { recursive: true, force: true });
  await build({
    entryPoints: { imagestreams: resolve(root, 'cli/main.ts') },
    outdir: temporary,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    legalComments: 'eof',
    // ws's optional native helpers; absent, ws uses its JavaScript code.
    external: ['bufferutil', 'utf-8-validate'],
    alias: {
      undici: resolve(root, 'cli/bundle-shims/undici.ts'),
      'openid-client': resolve(root, 'cli/bundle-shims/openid-client.ts'),
    },
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    // Node builtins loaded when first used, as in the Lambda bundles: an `import` of node:http alone loaded
    // Node's own undici, a third of the CLI's start.
    plugins: [proxyAgentsOnFirstUse, sideEffectFree, ...loadOnFirstUse],
    logLevel: 'warning',
  });
  await mkdir(dirname(outdir), { recursive: true });
  const old = `${outdir}.${process.pid}.old`;
  await rename(outdir, old).catch(() => undefined);
  await rename(temporary, outdir);
  await rm(old, { recursive: true, force: true });
  return cliBundle;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
