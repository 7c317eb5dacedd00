import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { referencedMetrics, registeredMetrics, seriesExists } from './metric-names.js';

interface Target {
  expr: string;
  refId: string;
  datasource?: { uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../../deploy/grafana/spot-handler-dashboard.json', import.meta.url), 'utf8'),
) as {
  schemaVersion: number;
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown }[] };
};
const panels = dashboard.panels.filter((p) => p.type !== 'row');

describe('Grafana dashboard', () => {
  it('is a dashboard with a Prometheus datasource variable', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toBe('spot-handler');
    const ds = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const p of panels) {
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe('${datasource}');
    }
  });

  it('has unique panel ids and panels inside the 24-column grid', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
  });

  it('covers what operators need', () => {
    const titles = panels.map((p) => p.title.toLowerCase()).join('\n');
    for (const want of [
      'events received by kind',
      'node actions by result',
      'drains by result',
      'notice to cordon',
      'notice to drained',
      'drain duration',
      'deadline slack',
      'pods evicted',
      'sqs message age',
      'sqs errors',
      'leader',
      'imds',
      'webhooks',
    ]) {
      expect(titles).toContain(want);
    }
  });

  it('queries only metrics that exist', async () => {
    const registry = await registeredMetrics(true);
    const used = new Set<string>();
    for (const p of panels) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) {
        const names = referencedMetrics(t.expr);
        expect(names.length, t.expr).toBeGreaterThan(0);
        for (const n of names) {
          expect(seriesExists(n, registry), `${p.title}: ${n}`).toBe(true);
          used.add(n.replace(/_(bucket|sum|count)$/, ''));
        }
      }
    }
    // every metric of ours (not the process/runtime ones) appears somewhere
    const ours = [...(await registeredMetrics()).keys()];
    expect(ours.filter((m) => !used.has(m))).toEqual([]);
  });
});
