/**
 * Checks helm/spot-handler/files/alert-rules.yaml for what Prometheus cannot: severities, runbooks, and
 * that expressions name only metrics we register. Prometheus itself parses and evaluates the rules in
 * alert-rules-promtool.test.ts (promtool check/test rules) and test/scenarios/prometheus-alerts.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { referencedMetrics, registeredMetrics, seriesExists } from './metric-names.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rulesText = readFileSync(
  new URL('../../../helm/spot-handler/files/alert-rules.yaml', import.meta.url),
  'utf8',
);
const runbooks = readFileSync(new URL('../../../docs/alerts.md', import.meta.url), 'utf8');
const doc = parse(rulesText) as { groups: { name: string; rules: Rule[] }[] };
const rules = doc.groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert !== undefined);

/** GitHub-style anchors of the markdown headings. */
const anchors = new Set(
  [...runbooks.matchAll(/^#+\s+(.+)$/gm)].map((m) =>
    (m[1] ?? '')
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9 -]/g, '')
      .replace(/ /g, '-'),
  ),
);

describe('alert rules', () => {
  it('is a groups: document with the alerts the brief asks for', () => {
    expect(doc.groups.length).toBeGreaterThan(0);
    const names = alerts.map((a) => a.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const required of [
      'SpotHandlerDrainFailed',
      'SpotHandlerDrainForced',
      'SpotHandlerDrainBlocked',
      'SpotHandlerDeadlineTight',
      'SpotHandlerSqsMessageAgeHigh',
      'SpotHandlerNoLeader',
      'SpotHandlerNotReady',
      'SpotHandlerImdsUnhealthy',
      'SpotHandlerWebhookFailures',
      'SpotHandlerKubeEventsFailing',
    ]) {
      expect(names).toContain(required);
    }
  });

  it.each(alerts.map((a) => [a.alert, a] as const))(
    '%s has severity, summary and a runbook section',
    (name, a) => {
      expect(['critical', 'warning', 'info']).toContain(a.labels?.severity);
      expect(a.annotations?.summary).toBeTruthy();
      const url = a.annotations?.runbook_url ?? '';
      expect(url).toMatch(/\/docs\/alerts\.md#[a-z0-9-]+$/);
      const anchor = url.split('#')[1] ?? '';
      expect(anchor).toBe(name?.toLowerCase());
      expect(anchors).toContain(anchor);
      if (a.for !== undefined) expect(a.for).toMatch(/^\d+[smh]$/);
    },
  );

  it.each(rules.map((r) => [r.alert ?? r.record, r] as const))(
    '%s uses only existing metrics',
    async (_n, r) => {
      const registry = await registeredMetrics(true);
      const names = referencedMetrics(r.expr);
      // `up` (Prometheus' own scrape health) is the one foreign series allowed
      if (!/\bup\{job=/.test(r.expr)) expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(seriesExists(name, registry), name).toBe(true);
      // buckets only through the histogram's le label, and le values must be real bucket bounds
      for (const le of r.expr.matchAll(/le="([^"]+)"/g)) expect(['10', '+Inf']).toContain(le[1]);
    },
  );

  it('every runbook section belongs to an alert', () => {
    const sections = [...runbooks.matchAll(/^## (\S+)$/gm)].map((m) => m[1]);
    expect(sections.sort()).toEqual(alerts.map((a) => a.alert).sort());
  });

  it('the metric check catches an unknown name', async () => {
    const registry = await registeredMetrics(true);
    expect(seriesExists('spot_handler_drains_total', registry)).toBe(true);
    expect(seriesExists('spot_handler_deadline_slack_seconds_bucket', registry)).toBe(true);
    expect(seriesExists('spot_handler_drains_total_bucket', registry)).toBe(false);
    expect(seriesExists('spot_handler_drain_failures_total', registry)).toBe(false);
  });
});
