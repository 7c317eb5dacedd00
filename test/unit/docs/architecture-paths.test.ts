import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');

/** Every `src/…` or `test/…` path the document names, deduplicated. */
function namedPaths(text: string): string[] {
  return [...new Set(text.match(/\b(?:src|test|deploy|helm)\/[\w./-]+\.(?:ts|yaml|json)\b/g) ?? [])];
}

describe('docs/architecture.md', () => {
  it('opens with the path of a notice, stage by stage', () => {
    const opening = doc.slice(0, doc.indexOf('## 1.'));
    for (const stage of ['source', 'event', 'store', 'plan', 'executor', 'actions', 'Kubernetes API']) {
      expect(opening).toContain(stage);
    }
    expect(opening).toContain('src/pipeline/executor.ts');
  });

  it.each(namedPaths(doc))('names %s, which exists', (path) => {
    expect(existsSync(join(root, path))).toBe(true);
  });

  it('finds the paths it checks', () => {
    expect(namedPaths(doc).length).toBeGreaterThan(15);
  });
});
