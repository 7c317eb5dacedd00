/**
 * Benchmark runner: `npm run bench` runs every bench/*.bench.ts, `npm run bench -- <name>` one.
 * Each benchmark's default export runs it and prints one JSON line per result.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const all = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();
const chosen = wanted.length > 0 ? wanted : all;
const unknown = chosen.filter((n) => !all.includes(n));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${all.join(', ')}`);
  process.exit(2);
}
for (const name of chosen) {
  const mod = (await import(pathToFileURL(join(here, `${name}.bench.ts`)).href)) as {
    default: (args: readonly string[]) => Promise<void>;
  };
  await mod.default(process.argv.slice(2).filter((a) => a.startsWith('-')));
}
process.exit(0);
