// Bundles the daemon into dist/spot-handler.mjs (one file; SDKs bundled so start-up and memory stay low).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { bundleOptions } from './bundle-options.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Start from an empty dist/: chunk names carry a content hash, so old chunks would pile up.
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  ...bundleOptions(pkg.version, { shebang: true }),
  outdir: 'dist',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
console.log('built dist/spot-handler.mjs');
