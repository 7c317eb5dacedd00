/**
 * docs/migration-from-nth.md maps every NTH environment variable and chart value (the lists in
 * test/fixtures/nth-names, copied from NTH v1.25's config.go and values.yaml): a name missing from the
 * doc's tables fails this test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const doc = readFileSync(join(root, 'docs/migration-from-nth.md'), 'utf8');
const names = (file: string): string[] =>
  readFileSync(join(root, 'test/fixtures/nth-names', file), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** Rows of the first table under a `## heading`: first cell → the other cells. */
function tableRows(heading: string): Map<string, string[]> {
  const start = doc.indexOf(`\n## ${heading}\n`);
  expect(start, `section "## ${heading}"`).toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + 4);
  const rows = new Map<string, string[]>();
  for (const line of doc.slice(start, end < 0 ? undefined : end).split('\n')) {
    if (!line.startsWith('|') || /^\|\s*-/.test(line)) continue;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    for (const name of (cells[0] ?? '').matchAll(/`([^`]+)`/g)) rows.set(name[1] ?? '', cells.slice(1));
  }
  return rows;
}

describe('docs/migration-from-nth.md', () => {
  it.each([
    ['Environment variables', 'env-vars.txt'],
    ['Chart values', 'chart-keys.txt'],
  ])('"%s" maps every NTH name in %s, each with a spot-handler column', (heading, file) => {
    const rows = tableRows(heading);
    const missing = names(file).filter((n) => !rows.has(n));
    expect(missing, `NTH names missing from "## ${heading}"`).toEqual([]);
    const unmapped = names(file).filter((n) => (rows.get(n)?.[0] ?? '') === '');
    expect(unmapped, 'rows with an empty spot-handler column').toEqual([]);
  });

  it('states the one-queue-per-cluster rule of queue mode', () => {
    expect(doc).toMatch(/one SQS queue per cluster/i);
  });

  it('gives a reason for every default it changed', () => {
    const rows = [...tableRows('Environment variables').values(), ...tableRows('Chart values').values()];
    const changed = rows.filter((cells) => /→/.test(cells[1] ?? ''));
    expect(changed.length).toBeGreaterThan(5);
    for (const cells of changed) expect(cells[1], cells.join(' | ')).toMatch(/→[^:]+:\s*\S/);
  });
});
