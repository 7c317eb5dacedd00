/**
 * NTH users scrape /metrics on 9092 (`enablePrometheusServer: true`, `prometheusServerPort: 9092`).
 * With `metrics.prometheusServerPort: 9092` the chart opens that port, tells the daemon NTH's env
 * names, and points the Service, ServiceMonitor and PodMonitor at it.
 */
import { describe, expect, it } from 'vitest';
import { containerEnv, only, queueValues, renderChart } from './helm.js';

const MONITORS = { serviceMonitor: { enabled: true }, podMonitor: { enabled: true } };

describe.concurrent("metrics on NTH's port", () => {
  it.each([
    ['imds', {}, 'DaemonSet'],
    ['queue', queueValues(), 'Deployment'],
  ])('%s mode: container port, env, Service and monitors use 9092', async (_mode, values, kind) => {
    const objects = await renderChart({ ...values, metrics: { prometheusServerPort: 9092, ...MONITORS } });
    const workload = only(objects, kind);
    const container = workload.spec.template.spec.containers[0];
    expect(container.ports).toContainEqual({ name: 'metrics', containerPort: 9092, protocol: 'TCP' });
    const env = containerEnv(workload);
    expect([env.get('ENABLE_PROMETHEUS_SERVER'), env.get('PROMETHEUS_SERVER_PORT')]).toEqual([
      'true',
      '9092',
    ]);
    expect(only(objects, 'Service').spec.ports).toContainEqual(
      expect.objectContaining({ name: 'metrics', port: 9092, targetPort: 'metrics' }),
    );
    expect(only(objects, 'ServiceMonitor').spec.endpoints[0].port).toBe('metrics');
    expect(only(objects, 'PodMonitor').spec.podMetricsEndpoints[0].port).toBe('metrics');
  });

  it('is off by default: one port, monitors on http', async () => {
    const objects = await renderChart({ metrics: MONITORS });
    const workload = only(objects, 'DaemonSet');
    expect(workload.spec.template.spec.containers[0].ports).toHaveLength(1);
    expect(containerEnv(workload).has('PROMETHEUS_SERVER_PORT')).toBe(false);
    expect(only(objects, 'PodMonitor').spec.podMetricsEndpoints[0].port).toBe('http');
  });
});
