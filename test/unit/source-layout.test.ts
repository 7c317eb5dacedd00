/**
 * The layout rules of the code base (issue #16): every source file under src/ and every test helper
 * stays within 300 lines (split by job), no two files under src/ share a base name, and no two ADRs
 * share a number.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAX_LINES = 300;

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

function lineCount(path: string): number {
  return readFileSync(join(ROOT, path), 'utf8').trimEnd().split('\n').length;
}

describe('source layout', () => {
  const sources = filesUnder('src');
  const helpers = filesUnder('test/helpers');

  it('finds the files it checks', () => {
    expect(sources.length).toBeGreaterThan(150);
    expect(helpers.length).toBeGreaterThan(10);
  });

  it(`keeps every file under src/ and test/helpers/ within ${MAX_LINES} lines`, () => {
    const long = [...sources, ...helpers]
      .map((path) => ({ path, lines: lineCount(path) }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('gives every file under src/ a base name of its own', () => {
    const byName = new Map<string, string[]>();
    for (const path of sources) byName.set(basename(path), [...(byName.get(basename(path)) ?? []), path]);
    const shared = [...byName.values()].filter((paths) => paths.length > 1);
    expect(shared).toEqual([]);
  });

  it('numbers every ADR once', () => {
    const numbers = filesUnder('docs/adr').map((path) => basename(path).slice(0, 4));
    expect(numbers.length).toBeGreaterThan(5);
    expect(numbers.filter((n, i) => numbers.indexOf(n) !== i)).toEqual([]);
  });
});
