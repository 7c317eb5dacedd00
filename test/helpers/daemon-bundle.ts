/**
 * The test bundle of the daemon: a bundle of the current src/ built on demand with the build's esbuild
 * options into the temp directory, keyed by every source file's path, size and mtime (so it is never
 * stale, and several test files share one build); bundles of other source states unused for an hour are
 * pruned.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sourceKey(dir: string, hash: Hash): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceKey(path, hash);
    else {
      const st = statSync(path);
      hash.update(`${path}\0${st.size}\0${st.mtimeMs}\n`);
    }
  }
}

/** Builds (once per source state) a bundle of src/main.ts into the temp directory; returns its path. */
export async function testBundle(): Promise<string> {
  const hash = createHash('sha256');
  sourceKey(`${REPO_ROOT}src`, hash);
  sourceKey(`${REPO_ROOT}scripts`, hash); // the bundle options
  const dir = join(tmpdir(), `spot-handler-test-bundle-${hash.digest('hex').slice(0, 16)}`);
  const file = join(dir, 'spot-handler.mjs');
  if (existsSync(file)) {
    markUsed(dir);
    return file;
  }
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const { build } = await import('esbuild');
  const { bundleOptions } = await import('../../scripts/bundle-options.mjs');
  await build({ ...bundleOptions('0.0.0-test'), outdir: tmp, logLevel: 'error' });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another test file built it first
  }
  pruneOldBundles(dir);
  return file;
}

/** Marks a bundle as in use (its mtime), so that another checkout's pruning leaves it alone. */
function markUsed(dir: string): void {
  const now = new Date();
  try {
    utimesSync(dir, now, now);
  } catch {
    // pruned meanwhile: the daemon start reports the missing file
  }
}

/**
 * Removes test bundles of other source states (10 MB each) unused for an hour. Every start of a daemon
 * marks its bundle used, so a long suite (or another checkout's run at the same time) keeps its own.
 */
function pruneOldBundles(keep: string): void {
  const root = tmpdir();
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (!name.startsWith('spot-handler-test-bundle-') || path === keep) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
    } catch {
      // gone already
    }
  }
}
