/** Test wiring: a FakeKube, a FakeClock, a fresh metrics registry and an actuator with test options. */
import pino from 'pino';
import { Registry } from 'prom-client';
import { FakeClock } from '../../../src/clock.js';
import { createMetrics, type Metrics } from '../../../src/report/metrics.js';
import { DEFAULT_ACTUATOR_OPTIONS, type ActuatorOptions } from '../../../src/actions/actuator-options.js';
import { KubeNodeActuator } from '../../../src/actions/kube-node-actuator.js';
import type { DrainRequest } from '../../../src/pipeline/node-actuator-port.js';
import { FakeKube } from './fake-kube.js';
import { node } from './pod-builders.js';

/** Everything a test needs. */
export interface World {
  clock: FakeClock;
  kube: FakeKube;
  metrics: Metrics;
  registry: Registry;
  actuator: KubeNodeActuator;
  logs: Record<string, unknown>[];
}

/** Builds a world with node n1 and the given option overrides. */
export function world(options: Partial<ActuatorOptions> = {}): World {
  const clock = new FakeClock();
  const kube = new FakeKube(clock);
  kube.addNode(node());
  const registry = new Registry();
  const metrics = createMetrics(registry, { version: 'test', mode: 'test' }, { defaultMetrics: false });
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const actuator = new KubeNodeActuator({
    nodes: kube,
    pods: kube,
    clock,
    logger,
    metrics,
    options: { ...DEFAULT_ACTUATOR_OPTIONS, ...options },
    random: () => 1,
  });
  return { clock, kube, metrics, registry, actuator, logs };
}

/** A drain request for n1 due in 120 s (urgent spot interruption unless overridden). */
export function drainRequestFor(
  w: Pick<World, 'clock'>,
  overrides: Partial<DrainRequest> = {},
): DrainRequest {
  return {
    nodeName: 'n1',
    kind: 'spot-interruption',
    eventId: 'e1',
    deadlineMs: w.clock.now() + 120_000,
    urgent: true,
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** Advances the fake clock in steps until the promise settles (or maxMs of fake time passed). */
export async function settle<T>(
  clock: FakeClock,
  promise: Promise<T>,
  stepMs = 50,
  maxMs = 600_000,
): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  for (let t = 0; !done && t < maxMs; t += stepMs) await clock.advance(stepMs);
  return tracked;
}

/** Current value of a counter or gauge without labels, or with the given labels. */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return NaN;
  const data = await metric.get();
  const entry = data.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return entry?.value ?? 0;
}
