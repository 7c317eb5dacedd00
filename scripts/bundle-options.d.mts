import type { BuildOptions } from 'esbuild';

/** Options for bundling src/main.ts (scripts/bundle-options.mjs). */
export function bundleOptions(version: string, options?: { shebang?: boolean }): BuildOptions;
