import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registeredMetrics } from './metric-names.js';

interface DocRow {
  name: string;
  type: string;
  labels: string[];
}

/** Rows of the docs/metrics.md table whose first cell is a backticked metric name. */
function docRows(markdown: string): DocRow[] {
  const rows: DocRow[] = [];
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`(spot_handler_[a-z0-9_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!line.startsWith('|') || name === undefined) continue;
    const labels = [...(cells[3] ?? '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1] ?? '');
    rows.push({ name, type: cells[2] ?? '', labels });
  }
  return rows;
}

const doc = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');

describe('docs/metrics.md matches the registry', () => {
  it('parses a non-trivial table', () => {
    expect(docRows(doc).length).toBeGreaterThan(20);
  });

  it('documents every registered metric with its type and labels, and nothing else', async () => {
    const registry = await registeredMetrics();
    const rows = docRows(doc);
    const documented = new Map(rows.map((r) => [r.name, r]));
    expect(rows).toHaveLength(documented.size); // no duplicates
    expect([...documented.keys()].sort()).toEqual([...registry.keys()].sort());
    for (const [name, shape] of registry) {
      const row = documented.get(name)!;
      expect({ name, type: row.type, labels: row.labels }).toEqual({
        name,
        type: shape.type,
        labels: shape.labels,
      });
    }
  });

  it('detects a disagreement (the check is not vacuous)', async () => {
    const registry = await registeredMetrics();
    const broken = doc.replace('| `spot_handler_leader` | gauge |', '| `spot_handler_leader` | counter |');
    const row = docRows(broken).find((r) => r.name === 'spot_handler_leader');
    expect(row?.type).not.toBe(registry.get('spot_handler_leader')?.type);
  });
});
