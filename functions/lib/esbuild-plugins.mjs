// esbuild plugins for the Lambda bundles, given to SST by path (sst.config.ts, `nodejs.plugins`) and
// used by bench/ through functions/lib/bundle-options.ts. Plain JavaScript: SST loads it with `node`.
import { isBuiltin } from 'node:module';

/**
 * Node builtins imported with `import` get an ES module facade that reads every export, and reading
 * node:http's exports loads Node's own copy of undici (tens of ms at cold start). A `require` returns the
 * module without that, so bundled imports of builtins are turned into requires (the bundle's banner
 * defines `require`).
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
      contents: `module.exports = require('node:${args.path}');`,
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

export default [builtinsByRequire, undiciOneParser];
