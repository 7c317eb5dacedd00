import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { EVENT_KINDS } from '../../../src/events/interruption-event.js';
import { createMetrics, type Metrics } from '../../../src/report/metrics.js';
import {
  KUBE_EVENT_REASONS,
  NOTICE_REASON,
  parseExtraAnnotations,
  type KubeEventBody,
  type KubeEventSink,
} from '../../../src/report/kube-event-body.js';
import {
  KubeEventRecorder,
  type KubeEventRecorderOptions,
  type KubeEventSubject,
} from '../../../src/report/kube-events.js';
import type { DrainResult } from '../../../src/pipeline/node-actuator-port.js';
import { stepRecorder } from '../../../src/modes/step-recorder.js';
import { captureLogger } from './capture-logger.js';

/** Stateful fake of the sink: stores Events; can fail the next N calls. */
class FakeEventSink implements KubeEventSink {
  readonly events: KubeEventBody[] = [];
  failNext = 0;
  async createEvent(body: KubeEventBody): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('apiserver said 500');
    }
    this.events.push(body);
  }
}

const subject: KubeEventSubject = {
  event: {
    id: 'evt-1',
    kind: 'spot-interruption',
    instanceId: 'i-0abc',
    description: 'terminate',
    deadlineMs: Date.parse('2026-11-29T10:02:00Z'),
  },
  nodeName: 'ip-10-0-0-1',
  nodeUid: 'uid-1',
};

const blocker = {
  namespace: 'shop',
  name: 'db-0',
  pdb: 'db-pdb',
  reason: 'pdb' as const,
  message: "Cannot evict pod as it would violate the pod's disruption budget.",
};

const drain = (over: Partial<DrainResult>): DrainResult => ({
  result: 'succeeded',
  podsEvicted: 4,
  podsForceDeleted: 0,
  podsRemaining: 0,
  blockedBy: [],
  durationMs: 12_300,
  ...over,
});

describe('KubeEventRecorder', () => {
  let sink: FakeEventSink;
  let clock: FakeClock;
  let metrics: Metrics;
  let log: ReturnType<typeof captureLogger>;
  const recorder = (opts: Partial<KubeEventRecorderOptions> = {}): KubeEventRecorder =>
    new KubeEventRecorder(
      sink,
      { enabled: true, podName: 'spot-handler-abc', ...opts },
      {
        logger: log.logger,
        clock,
        metrics,
      },
    );

  beforeEach(() => {
    sink = new FakeEventSink();
    clock = new FakeClock();
    metrics = createMetrics(new Registry(), { version: 't', mode: 'imds' }, { defaultMetrics: false });
    log = captureLogger();
  });

  it('has one notice reason per kind, all distinct and listed in KUBE_EVENT_REASONS', () => {
    const reasons = EVENT_KINDS.map((k) => NOTICE_REASON[k]);
    expect(new Set(reasons).size).toBe(EVENT_KINDS.length);
    for (const r of reasons) expect(Object.values(KUBE_EVENT_REASONS)).toContain(r);
  });

  it('builds an events.k8s.io Event on the node with annotations and reporting fields', async () => {
    await recorder({ extraAnnotations: { team: 'infra', 'spot-handler/kind': 'overridden' } }).noticeReceived(
      subject,
    );
    expect(sink.events).toHaveLength(1);
    const e = sink.events[0]!;
    expect(e).toMatchObject({
      namespace: 'default',
      reason: 'SpotInterruption',
      type: 'Normal',
      reportingController: 'spot-handler',
      reportingInstance: 'spot-handler-abc',
      regarding: { kind: 'Node', apiVersion: 'v1', name: 'ip-10-0-0-1', uid: 'uid-1' },
      eventTimeMs: clock.now(),
    });
    expect(e.annotations).toEqual({
      'spot-handler/instance-id': 'i-0abc',
      'spot-handler/kind': 'overridden',
      'spot-handler/event-id': 'evt-1',
      team: 'infra',
    });
    expect(e.note).toBe(
      'Spot interruption notice for instance i-0abc (terminate); deadline 2026-11-29T10:02:00.000Z (in 120 s)',
    );
  });

  it.each([
    ['succeeded', 'Drained', 'Normal'],
    ['forced', 'DrainForced', 'Warning'],
    ['blocked', 'DrainBlocked', 'Warning'],
    ['timed_out', 'DrainFailed', 'Warning'],
    ['failed', 'DrainFailed', 'Warning'],
  ] as const)('drain %s → %s (%s)', async (result, reason, type) => {
    await recorder().drainFinished(subject, drain({ result }));
    expect(sink.events[0]).toMatchObject({ reason, type });
    expect(sink.events[0]?.note).toMatch(/(drained in|after) 12\.3 s.*4 pods evicted/);
  });

  it.each([
    [{ result: 'succeeded' }, 'Node drained in 12.3 s: 4 pods evicted'],
    [
      { result: 'forced', podsForceDeleted: 1, blockedBy: [blocker] },
      'Drain forced after 12.3 s: the deadline was near and pods were still blocked, so they were deleted ' +
        'without eviction (4 pods evicted, 1 deleted at the deadline; blocked by shop/db-0 (PDB db-pdb)). ' +
        'Give these workloads more replicas or relax their PodDisruptionBudgets',
    ],
    [
      { result: 'forced', podsForceDeleted: 1, blockedBy: [], forcedPods: [blocker] },
      'Drain forced after 12.3 s: the deadline was near and pods were still blocked, so they were deleted ' +
        'without eviction (4 pods evicted, 1 deleted at the deadline; deleted: shop/db-0 (PDB db-pdb)). ' +
        'Give these workloads more replicas or relax their PodDisruptionBudgets',
    ],
    [
      { result: 'blocked', podsRemaining: 1, blockedBy: [blocker] },
      'Drain blocked after 12.3 s: PodDisruptionBudgets are respected for this kind of notice and some pods ' +
        'could not be evicted, so the node stays cordoned (4 pods evicted, 1 still on the node; blocked by ' +
        'shop/db-0 (PDB db-pdb)). Let the budgets allow a disruption; the next notice drains the node',
    ],
    [
      { result: 'failed', error: 'cannot delete DaemonSet-managed Pods: kube-system/ds-1', podsEvicted: 0 },
      'Drain failed: cannot delete DaemonSet-managed Pods: kube-system/ds-1 (0 pods evicted). See the spot-handler logs',
    ],
  ] as const)('drain note %j says what happened and what to do', async (over, note) => {
    await recorder().drainFinished(subject, drain(over));
    expect(sink.events[0]?.note).toBe(note);
  });

  it('names the blocking pod and PDB', async () => {
    const pod = {
      namespace: 'shop',
      name: 'db-0',
      pdb: 'db-pdb',
      reason: 'pdb' as const,
      message: 'needs 2 healthy',
    };
    await recorder().podBlockedByPdb(subject, pod, 'blocked');
    await recorder().drainFinished(subject, drain({ result: 'blocked', blockedBy: [pod], podsRemaining: 1 }));
    await recorder().podBlockedByPdb(subject, { ...pod, name: 'db-1' }, 'forced');
    await recorder().podBlockedByPdb(
      subject,
      { namespace: 'shop', name: 'db-2', reason: 'multiple-pdbs', message: '' },
      'forced',
    );
    expect(sink.events[0]).toMatchObject({ reason: 'PodBlockedByPdb', type: 'Warning' });
    expect(sink.events[0]?.note).toBe(
      'Pod shop/db-0 could not be evicted: PodDisruptionBudget shop/db-pdb allowed no disruption ' +
        '(needs 2 healthy); it is still on the node. Give the workload more replicas or relax the budget',
    );
    expect(sink.events[1]?.note).toContain('blocked by shop/db-0 (PDB db-pdb)');
    expect(sink.events[2]?.note).toContain('; it was deleted at the deadline without eviction.');
    expect(sink.events[3]?.note).toBe(
      'Pod shop/db-2 could not be evicted: more than one PodDisruptionBudget selects it, and the eviction ' +
        'API refuses such pods; it was deleted at the deadline without eviction. Make exactly one budget ' +
        'select the pod',
    );
  });

  it('records every step with its reason', async () => {
    const r = recorder({ taintEffect: 'NoSchedule' });
    await r.cordoned(subject);
    await r.drainStarted(subject);
    await r.uncordoned(subject, 'maintenance over');
    await r.lifecycleCompleted(subject, 'nth-hook', 'CONTINUE');
    expect(sink.events.map((e) => e.note)).toEqual([
      'Node cordoned and tainted spot-handler/spot-interruption:NoSchedule (spot interruption notice for ' +
        'instance i-0abc): no new pods are scheduled on it',
      'Draining node: evicting its pods before the deadline 2026-11-29T10:02:00.000Z (in 120 s)',
      'Node uncordoned: maintenance over',
      'Completed lifecycle action of hook nth-hook with CONTINUE: Auto Scaling goes on terminating the instance',
    ]);
    expect(sink.events.map((e) => e.reason)).toEqual([
      'Cordoned',
      'DrainStarted',
      'Uncordoned',
      'LifecycleCompleted',
    ]);
  });

  it('suppresses identical events within the window and reports the count afterwards', async () => {
    const r = recorder({ dedupWindowMs: 60_000 });
    const pod = { namespace: 'shop', name: 'db-0', pdb: 'db', reason: 'pdb' as const, message: 'm' };
    for (let i = 0; i < 10; i++) {
      await r.podBlockedByPdb(subject, pod);
      await clock.advance(5_000);
    }
    expect(sink.events).toHaveLength(1);
    await clock.advance(60_000);
    await r.podBlockedByPdb(subject, pod);
    expect(sink.events).toHaveLength(2);
    expect(sink.events[1]?.note).toMatch(/\(9 identical events suppressed\)$/);
    // a different node is not a duplicate
    await r.podBlockedByPdb({ ...subject, nodeName: 'ip-10-0-0-2' }, pod);
    expect(sink.events).toHaveLength(3);
  });

  it('logs and counts failures, never throws', async () => {
    sink.failNext = 2;
    const r = recorder();
    await expect(r.cordoned(subject)).resolves.toBeUndefined();
    await expect(r.drainStarted(subject)).resolves.toBeUndefined();
    expect((await metrics.kubeEventsFailed.get()).values[0]?.value).toBe(2);
    expect(log.lines().filter((l) => l.msg === 'could not create Kubernetes Event')).toHaveLength(2);
  });

  it('marks dry-run events and does nothing when disabled', async () => {
    await recorder({ dryRun: true }).cordoned(subject);
    expect(sink.events[0]?.note).toMatch(/^\[dry-run\] Node cordoned \(/);
    expect(sink.events[0]?.annotations['spot-handler/dry-run']).toBe('true');
    await recorder({ enabled: false }).cordoned({ ...subject, nodeName: 'other' });
    expect(sink.events).toHaveLength(1);
  });

  it('cuts notes to 1 KiB and falls back to the node name as reportingInstance', async () => {
    await recorder({ podName: undefined, nodeName: 'ip-10-0-0-9' }).uncordoned(subject, 'x'.repeat(5000));
    expect(sink.events[0]?.note.length).toBe(1024);
    expect(sink.events[0]?.reportingInstance).toBe('ip-10-0-0-9');
  });
});

describe('stepRecorder: the executor StepRecorder on the recorder', () => {
  it('maps each reported step to one Event with its reason', async () => {
    const sink = new FakeEventSink();
    const metrics = createMetrics(new Registry(), { version: 't', mode: 'queue' }, { defaultMetrics: false });
    const r = new KubeEventRecorder(
      sink,
      { enabled: true, podName: 'p' },
      {
        logger: captureLogger().logger,
        clock: new FakeClock(),
        metrics,
      },
    );
    const event = {
      id: 'evt-9',
      kind: 'rebalance-recommendation' as const,
      instanceId: 'i-9',
      noticedAtMs: 0,
      deadlineMs: 0,
      source: 'sqs' as const,
      origin: {
        type: 'sqs' as const,
        message: { messageId: 'm', receiptHandle: 'r' },
        lifecycle: { hookName: 'drain-hook', groupName: 'g', instanceId: 'i-9' },
      },
      description: 'rebalance',
    };
    const steps = [
      { step: 'notice', event },
      { step: 'tainted' },
      { step: 'cordoned' },
      { step: 'drain-started' },
      { step: 'drained', drain: drain({ result: 'forced', blockedBy: [blocker] }) },
      { step: 'drain-failed', error: 'api down' },
      { step: 'drain-failed', drain: drain({ result: 'blocked' }) },
      { step: 'uncordoned' },
      { step: 'lifecycle-completed' },
    ] as const;
    const steps2 = stepRecorder(r);
    for (const step of steps) {
      await steps2.recordStep('n1', step, event);
      await steps2.pending(); // written in the background: one at a time keeps the order
    }
    expect(sink.events.map((e) => e.reason)).toEqual([
      'RebalanceRecommendation',
      'Cordoned',
      'DrainStarted',
      'PodBlockedByPdb',
      'DrainForced',
      'DrainFailed',
      'DrainBlocked',
      'Uncordoned',
      'LifecycleCompleted',
    ]);
    expect(sink.events[3]?.note).toContain('it was deleted at the deadline without eviction');
    expect(sink.events[5]?.note).toBe('Drain failed: api down (0 pods evicted). See the spot-handler logs');
    expect(sink.events[7]?.note).toBe(
      'Node uncordoned: the rebalance recommendation for instance i-9 is older than ' +
        'REBALANCE_CORDON_TTL_SECONDS and no interruption followed',
    );
    expect(sink.events[8]?.note).toContain('hook drain-hook with CONTINUE');
    expect(sink.events.every((e) => e.annotations['spot-handler/event-id'] === 'evt-9')).toBe(true);
  });
});

describe('parseExtraAnnotations', () => {
  it.each([
    ['', {}, 0],
    ['team=infra', { team: 'infra' }, 0],
    ['a=1, example.com/b = two ,c=', { a: '1', 'example.com/b': 'two', c: '' }, 0],
    ['novalue,=x,bad key=1', {}, 3],
  ])('%j', (text, annotations, problems) => {
    const out = parseExtraAnnotations(text);
    expect(out.annotations).toEqual(annotations);
    expect(out.problems).toHaveLength(problems);
  });
});
