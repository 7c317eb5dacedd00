// The esbuild options of the release bundle (scripts/build.mjs) and of the tests' bundle
// (test/helpers/daemon-bundle.ts): one list, so that the tests run what ships.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Options for bundling src/main.ts; the caller adds outdir, minify and source maps. */
export function bundleOptions(version, { shebang = false } = {}) {
  const requireShim =
    "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";
  return {
    entryPoints: [`${root}src/main.ts`],
    // code splitting: queue-mode modules (AWS SDK) and the Kubernetes client live in chunks that the
    // idle IMDS daemon never loads
    entryNames: 'spot-handler',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    splitting: true,
    define: { __SPOT_HANDLER_VERSION__: JSON.stringify(version) },
    banner: { js: shebang ? `#!/usr/bin/env node\n${requireShim}` : requireShim },
    // node-fetch 2 (client-node's) imports whatwg-url but uses Node's own URL (ADR 0010)
    alias: { 'whatwg-url': `${root}src/kube/whatwg-url-shim.ts` },
  };
}
