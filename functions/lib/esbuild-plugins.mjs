// esbuild plugins for the Lambda bundles, given to SST by path (sst.config.ts, `nodejs.plugins`) and
// used by bench/ through functions/lib/bundle-options.ts. Plain JavaScript: SST loads it with `node`.
import { createRequire, isBuiltin } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The module a bundled `import … from 'node:x'` becomes. Each export is read from the builtin when first
 * used, and the builtin is loaded then: a module that imports node:crypto for one function no longer loads
 * it at cold start, only the request that calls it does (node:crypto alone is ~10 ms of CPU). The export
 * names are the builtin's on the Node that builds; built on an older Node than Lambda's (whose builtins
 * may lack names it has), the import is a plain require.
 */
function builtinModule(name) {
  if (Number(process.versions.node.split('.')[0]) < 24) return `module.exports = require('node:${name}');`;
  return loadedOnFirstUse(`node:${name}`, Object.getOwnPropertyNames(require(`node:${name}`)));
}

/** A CommonJS module whose exports `names` are getters that require `specifier` when one is first read. */
function loadedOnFirstUse(specifier, names) {
  return [
    'let loaded;',
    `const load = () => (loaded ??= require(${JSON.stringify(specifier)}));`,
    `for (const name of ${JSON.stringify(names.filter((key) => key !== 'default' && key !== '__esModule'))})`,
    '  Object.defineProperty(module.exports, name, { enumerable: true, get: () => load()[name] });',
  ].join('\n');
}

/**
 * Node builtins imported with `import` get an ES module facade that reads every export, and reading
 * node:http's exports loads Node's own copy of undici (tens of ms at cold start). A `require` returns the
 * module without that, so bundled imports of builtins are turned into requires (the bundle's banner
 * defines `require`), made when an export is first read (builtinModule).
 */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_]+(\/[a-z_]+)?$/ }, (args) =>
      args.kind === 'import-statement' && isBuiltin(args.path)
        ? { path: args.path.replace(/^node:/, ''), namespace: 'builtin-by-require' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, (args) => ({
      contents: builtinModule(args.path),
      loader: 'js',
    }));
  },
};

/**
 * undici carries three HTTP/1 parsers compiled to WebAssembly, each embedded as base64 (70–80 KiB apiece):
 * llhttp with and without SIMD, and the experimental milo, used only when a client asks for it (we never
 * do; undici's own build for Node.js core leaves it out the same way). One parser is kept: llhttp without
 * SIMD, which runs on every Node. The SIMD build is replaced by a module that throws, which undici already
 * handles by falling back to the plain build (lib/dispatcher/client-h1.js, lazyllhttp); milo by one that
 * says it is off.
 */
const undiciOneParser = {
  name: 'undici-one-parser',
  setup(build) {
    build.onResolve({ filter: /^(\.\/parser-h1\.js|\.\.\/llhttp\/llhttp_simd-wasm\.js)$/ }, (args) =>
      /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client-h1\.js$/.test(args.importer)
        ? { path: args.path, namespace: 'undici-parser-left-out' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'undici-parser-left-out' }, (args) => ({
      contents: args.path.includes('parser-h1')
        ? 'module.exports = { getMiloEnabled: () => false };'
        : "throw new Error('the SIMD build of llhttp is left out of this bundle');",
      loader: 'js',
    }));
  },
};

/**
 * CommonJS packages our ES modules import for functions that only some requests call. esbuild runs a
 * CommonJS package's whole body where it is imported; these are instead required when one of their exports
 * is first read, like the builtins above (semver: its ~40 files; rfc6902: JSON Patch, for PATCH requests;
 * re2js, 150 KiB that builds Unicode tables when evaluated, for policy tags' filters and signature
 * identities: its CommonJS build, so that the domain keeps calling it synchronously).
 * Only `import` statements from our code are redirected; a `require` of them elsewhere is left as it is.
 */
const commonJsOnFirstUse = {
  name: 'commonjs-on-first-use',
  setup(build) {
    build.onResolve({ filter: /^(semver|rfc6902|re2js)$/ }, async (args) => {
      if (args.kind !== 'import-statement') return undefined;
      const resolved = await build.resolve(args.path, { kind: 'require-call', resolveDir: args.resolveDir });
      return resolved.errors.length ? undefined : { path: resolved.path, namespace: 'commonjs-on-first-use' };
    });
    build.onLoad({ filter: /.*/, namespace: 'commonjs-on-first-use' }, (args) => ({
      contents: loadedOnFirstUse(args.path, Object.getOwnPropertyNames(require(args.path))),
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * Every SDK client takes its default credentials from @aws-sdk/credential-provider-node, a chain of eight
 * sources (environment, SSO, shared files, web identity, processes, containers, instance metadata) that
 * carries STS and SSO clients of its own: about 110 KiB of each Lambda bundle. In Lambda the chain never
 * goes past its first source, because the runtime puts the execution role's session in
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; so the bundles get that first source
 * alone. (SnapStart would hand credentials through the container endpoint instead; sst.config.ts does not
 * enable it.) Local mode and the tests run from source and keep the whole chain.
 */
const lambdaCredentials = {
  name: 'lambda-credentials',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, (args) => ({
      path: args.path,
      namespace: 'lambda-credentials',
      pluginData: { resolveDir: args.resolveDir },
    }));
    build.onLoad({ filter: /.*/, namespace: 'lambda-credentials' }, (args) => ({
      contents: [
        "import { fromEnv } from '@aws-sdk/credential-provider-env';",
        'export const defaultProvider = (init) => fromEnv(init);',
      ].join('\n'),
      resolveDir: args.pluginData.resolveDir,
      loader: 'js',
    }));
  },
};

/** The plugins the CLI's bundle shares (scripts/build-cli.ts): it holds no AWS SDK and is not run by Lambda. */
export const loadOnFirstUse = [builtinsByRequire, commonJsOnFirstUse];

export default [builtinsByRequire, undiciOneParser, commonJsOnFirstUse, lambdaCredentials];
