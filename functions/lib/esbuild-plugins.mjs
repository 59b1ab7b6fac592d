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

export default [builtinsByRequire];
