/**
 * One way to build an executor and its pipeline over the stateful FakeNodeActuator for unit tests: fake
 * clock at T0, silent logger, fresh metrics, webhooks/steps/lifecycle calls recorded, leadership switchable.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { FakeClock } from '../../../src/clock.js';
import type { InterruptionEvent, LifecycleHookRef } from '../../../src/events/interruption-event.js';
import { Executor, type ExecutorDeps, type ExecutorOptions } from '../../../src/pipeline/executor.js';
import type { ActionReport, NotifyTrigger } from '../../../src/pipeline/executor-ports.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { createMetrics } from '../../../src/report/metrics.js';
import { FakeNodeActuator } from '../../helpers/fake-node-actuator.js';

export const T0 = Date.parse('2026-11-29T10:00:00Z');
export const NODE = 'ip-10-0-0-1.ec2.internal';
export const INSTANCE = 'i-0123456789abcdef0';

/** A spot-interruption event from SQS for INSTANCE noticed at T0 (deadline T0 + 120 s), with `over` on top. */
export function sqsEvent(over: Partial<InterruptionEvent> & { id: string }): InterruptionEvent {
  return {
    kind: 'spot-interruption',
    instanceId: INSTANCE,
    noticedAtMs: T0,
    deadlineMs: T0 + 120_000,
    source: 'sqs',
    origin: { type: 'sqs', message: { messageId: over.id, receiptHandle: `rh-${over.id}` } },
    description: 'test',
    ...over,
  };
}

/** What a test may change. */
export interface ExecutorWorldSpec<A extends FakeNodeActuator> {
  readonly options?: Partial<ExecutorOptions>;
  /** Nodes as [name, instance id]; default one node NODE/INSTANCE. */
  readonly nodes?: readonly (readonly [string, string])[];
  readonly actuator?: (clock: FakeClock) => A;
  /** Dependencies to replace (resolver, readiness, cordonGate…). */
  readonly deps?: (clock: FakeClock) => Partial<ExecutorDeps>;
}

/** Builds the world; `known` maps instance ids to node names for the default resolver. */
export function executorWorld<A extends FakeNodeActuator = FakeNodeActuator>(
  spec: ExecutorWorldSpec<A> = {},
) {
  const clock = new FakeClock(T0);
  const actuator = spec.actuator?.(clock) ?? (new FakeNodeActuator(clock) as A);
  const known = new Map<string, string>();
  for (const [name, instance] of spec.nodes ?? [[NODE, INSTANCE]]) {
    actuator.addNode(name, instance);
    known.set(instance, name);
  }
  const notified: { trigger: NotifyTrigger; report: ActionReport }[] = [];
  const completed: LifecycleHookRef[] = [];
  const heartbeats: LifecycleHookRef[] = [];
  const recorded: string[] = [];
  let leader = true;
  const logger = pino({ level: 'silent' });
  const registry = new Registry();
  const options: ExecutorOptions = {
    mode: 'queue',
    cordonOnly: false,
    rebalanceDrain: false,
    rebalanceCordonTtlMs: 60_000,
    dryRun: false,
    launchReadyTimeoutMs: 10_000,
    completeLifecycleDelayMs: 0,
    ...spec.options,
  };
  const metrics = createMetrics(registry, { version: 't', mode: options.mode }, { defaultMetrics: false });
  const executor = new Executor(
    {
      actuator,
      resolver: { resolve: async (e: InterruptionEvent) => known.get(e.instanceId) },
      notifier: {
        sendWebhook: async (trigger, report) => {
          notified.push({ trigger, report });
          return true;
        },
      },
      recorder: {
        recordStep: async (_node, r) => {
          recorded.push(r.step);
        },
      },
      lifecycle: {
        complete: async (h) => {
          completed.push(h);
        },
        startHeartbeats: (h) => {
          heartbeats.push(h);
        },
      },
      readiness: { waitForReady: async () => true },
      clock,
      logger,
      metrics,
      canAct: () => leader,
      ...spec.deps?.(clock),
    },
    options,
  );
  const pipeline = new Pipeline({ executor, actuator, clock, logger, metrics }, { ...options, workers: 10 });
  return {
    clock,
    actuator,
    known,
    notified,
    completed,
    heartbeats,
    recorded,
    executor,
    pipeline,
    metrics,
    registry,
    setLeader: (v: boolean) => (leader = v),
  };
}
