import type { BuildOptions } from 'esbuild';
import plugins from './esbuild-plugins.mjs';

/**
 * Whether the AWS SDK ships inside the bundle or comes from the Lambda runtime (nodejs24.x carries SDK v3).
 * Inside: measured in bench/bundle.ts, a fresh process reaches its first response sooner with the SDK
 * bundled than loading it from node_modules, and the version deployed is the one tested (the runtime's
 * lags and changes under us). See README "Performance".
 */
export const bundleAwsSdk = true;

/** Packages that must stay outside the bundle: none of ours need a native build. */
const external: string[] = bundleAwsSdk ? [] : ['@aws-sdk/*', '@smithy/*'];

/**
 * The Lambda bundling options, declared once: sst.config.ts passes them as every function's `nodejs`
 * options and bench/ builds from them, so what is measured is what deploys. Splitting puts every
 * dynamically imported module (KMS, ECS, Lambda, CodeBuild clients, the undici registry client) in its
 * own chunk, evaluated only when a request needs it.
 */
export const lambdaBundling = {
  format: 'esm' as const,
  minify: true,
  splitting: true,
  sourcemap: true,
  /** Relative to sst.config.ts; bench/ imports the same file. */
  plugins: './functions/lib/esbuild-plugins.mjs',
  // Only `external` here: SST reads esbuild's Go options from this object, and a string target does not
  // decode into them (SST then builds for esnext, which Node 24 runs).
  esbuild: { external },
};

/**
 * The esbuild build SST's node runtime makes from those options (sst/sst pkg/runtime/node/build.go in
 * SST v3 and v4: ESM, keepNames, the `require` banner, `module` before `main`), so that bench/ measures
 * the same files. Kept next to the options so that a change to one is seen with the other.
 */
export function sstEquivalentBuild(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: [entry],
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: lambdaBundling.format,
    target: 'esnext',
    splitting: lambdaBundling.splitting,
    minify: lambdaBundling.minify,
    sourcemap: lambdaBundling.sourcemap ? 'linked' : false,
    external: ['sharp', 'pg-native', ...lambdaBundling.esbuild.external],
    keepNames: true,
    plugins,
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'silent',
    banner: {
      js: [
        "import { createRequire as topLevelCreateRequire } from 'module';",
        'const require = topLevelCreateRequire(import.meta.url);',
        'import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"',
        'const __filename = topLevelFileUrlToPath(import.meta.url)',
        'const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))',
      ].join('\n'),
    },
  };
}
