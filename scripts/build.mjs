// Bundles the daemon into dist/spot-handler.mjs (one file; SDKs bundled so start-up and memory stay low).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Start from an empty dist/: chunk names carry a content hash, so old chunks would pile up.
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: ['src/main.ts'],
  // Code splitting: queue-mode modules (AWS SDK) live in chunks that IMDS mode never loads.
  outdir: 'dist',
  entryNames: 'spot-handler',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  splitting: true,
  legalComments: 'none',
  define: { __SPOT_HANDLER_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});
console.log('built dist/spot-handler.mjs');
