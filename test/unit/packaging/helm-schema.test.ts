/** values.schema.json rejects bad values with a message naming the key. */
import { describe, expect, it } from 'vitest';
import { queueValues, renderChart, renderChartError } from './helm.js';

const REJECTED: [string, Record<string, unknown>, RegExp][] = [
  ['an unknown mode', { mode: 'sqs' }, /mode must be one of the following: "imds", "queue"/],
  [
    'queue mode without a queue URL',
    { mode: 'queue' },
    /queue\.url: String length must be greater than or equal to 1/,
  ],
  [
    'a queue URL that is not a URL',
    queueValues({ queue: { url: 'my-queue' } }),
    /queue\.url: Does not match pattern/,
  ],
  [
    'zero replicas',
    queueValues({ deployment: { replicas: 0 } }),
    /deployment\.replicas: Must be greater than or equal to 1/,
  ],
  ['a port above 65535', { httpPort: 70000 }, /httpPort: Must be less than or equal to 65535/],
  ['a string for a boolean', { dryRun: 'yes' }, /dryRun: Invalid type. Expected: boolean, given: string/],
  [
    'a bad taint effect',
    { node: { taintEffect: 'NoRun' } },
    /node\.taintEffect must be one of the following/,
  ],
  ['a bad log level', { logLevel: 'verbose' }, /logLevel must be one of the following: "trace"/],
  [
    'an NTH key (typo guard)',
    { enableSqsTerminationDraining: true },
    /Additional property enableSqsTerminationDraining is not allowed/,
  ],
  [
    'a bad memory quantity',
    { daemonset: { resources: { limits: { memory: 'lots' } } } },
    /daemonset\.resources\.limits\.memory/,
  ],
  [
    'an unknown resources key',
    { daemonset: { resources: { limit: {} } } },
    /Additional property limit is not allowed/,
  ],
  [
    'root in the security context',
    { securityContext: { runAsNonRoot: false } },
    /securityContext\.runAsNonRoot/,
  ],
  [
    'a heartbeat interval out of range',
    queueValues({ queue: { heartbeatInterval: 5 } }),
    /queue\.heartbeatInterval/,
  ],
  [
    'a visibility timeout over 12 h',
    queueValues({ queue: { visibilityTimeoutSeconds: 50000 } }),
    /queue\.visibilityTimeoutSeconds/,
  ],
  [
    'a drain timeout of 0',
    { drain: { nodeTerminationGracePeriod: 0 } },
    /drain\.nodeTerminationGracePeriod: Must be greater than or equal to 1/,
  ],
  ['bad webhook events', { webhook: { events: 'start,always' } }, /webhook\.events: Does not match pattern/],
  [
    'a role ARN that is not one',
    { serviceAccount: { roleArn: 'spot-handler' } },
    /serviceAccount\.roleArn: Does not match pattern/,
  ],
  [
    'malformed event annotations',
    { node: { kubernetesEventsExtraAnnotations: 'a=b,c' } },
    /kubernetesEventsExtraAnnotations/,
  ],
];

describe.concurrent('values.schema.json', () => {
  it.each(REJECTED)('rejects %s', async (_name, values, message) => {
    const error = await renderChartError(values);
    expect(error).toContain("values don't meet the specifications of the schema");
    expect(error).toMatch(message);
  });

  it.each([
    ['explicit grace periods', { terminationGracePeriodSeconds: 60, shutdownGraceSeconds: 40 }],
    ['a percentage PDB', queueValues({ deployment: { podDisruptionBudget: { maxUnavailable: '50%' } } })],
    [
      'numeric CPU and event annotations',
      {
        daemonset: { resources: { requests: { cpu: 0.1 } } },
        node: { kubernetesEventsExtraAnnotations: 'team=a,env=prod' },
      },
    ],
    ['a parent chart global', { global: { imageRegistry: 'x' } }],
  ])('accepts %s', async (_name, values) => {
    await expect(renderChart(values)).resolves.not.toHaveLength(0);
  });

  it('fails a ServiceMonitor without the Service it scrapes, saying why', async () => {
    const error = await renderChartError({
      metrics: { service: { enabled: false }, serviceMonitor: { enabled: true } },
    });
    expect(error).toContain('metrics.serviceMonitor.enabled needs metrics.service.enabled');
  });
});
