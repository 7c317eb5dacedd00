/** The metric set from createMetrics, for tests that check docs, alerts and dashboards against it. */
import { Registry } from 'prom-client';
import { createMetrics } from '../../../src/report/metrics.js';

/** One registered metric: type and label names. */
export interface MetricShape {
  readonly type: string;
  readonly labels: readonly string[];
}

/** Our own metrics (no default collectors) by name. */
export async function registeredMetrics(defaultMetrics = false): Promise<Map<string, MetricShape>> {
  const registry = new Registry();
  createMetrics(registry, { version: 'test', mode: 'imds' }, { defaultMetrics });
  const out = new Map<string, MetricShape>();
  for (const m of await registry.getMetricsAsJSON()) {
    const metric = registry.getSingleMetric(m.name) as unknown as { labelNames?: readonly string[] };
    out.set(m.name, { type: String(m.type), labels: [...(metric.labelNames ?? [])] });
  }
  return out;
}

/** Metric names a PromQL expression or dashboard query refers to (our prefix only). */
export function referencedMetrics(expr: string): string[] {
  return [...new Set(expr.match(/\bspot_handler_[a-z0-9_]+/g) ?? [])];
}

/** True when `name` is a registered metric, or a histogram's _bucket/_sum/_count series. */
export function seriesExists(name: string, metrics: ReadonlyMap<string, MetricShape>): boolean {
  if (metrics.has(name)) return true;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  const base = m?.[1] === undefined ? undefined : metrics.get(m[1]);
  return base?.type === 'histogram' || (base?.type === 'summary' && m?.[2] !== 'bucket');
}
