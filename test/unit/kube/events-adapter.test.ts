/** The Event recorder through the client-node adapter, read back from the Kubernetes API simulator. */
import { CoreV1Api, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { PermanentError, TransientError } from '../../../src/errors.js';
import { KubeEventsAdapter, toV1Event } from '../../../src/kube/events-adapter.js';
import { createMetrics, type Metrics } from '../../../src/report/metrics.js';
import { KubeEventRecorder, type KubeEventSubject } from '../../../src/report/kube-events.js';
import { kubeConfigForUrl } from '../../../src/sandbox/kube-api/client-config.js';
import { startKubeApiSimulator, type KubeApiSimulator } from '../../../src/sandbox/kube-api/server.js';
import { captureLogger } from '../report/capture-logger.js';

const subject: KubeEventSubject = {
  event: {
    id: 'spot-itn-i-0abc-1',
    kind: 'spot-interruption',
    instanceId: 'i-0abc',
    description: 'terminate at 10:02',
    deadlineMs: Date.parse('2026-11-29T10:02:00Z'),
  },
  nodeName: 'ip-10-0-0-1',
  nodeUid: '6f1b7c3e-0000-4000-8000-000000000001',
};

describe('KubeEventsAdapter against the API simulator', () => {
  let sim: KubeApiSimulator;
  let kc: KubeConfig;
  let metrics: Metrics;
  let recorder: KubeEventRecorder;

  beforeAll(async () => {
    sim = await startKubeApiSimulator();
    kc = kubeConfigForUrl(sim.url);
  });
  afterAll(async () => {
    await sim.stop();
  });
  beforeEach(() => {
    sim.faults.clear();
    metrics = createMetrics(new Registry(), { version: 't', mode: 'imds' }, { defaultMetrics: false });
    recorder = new KubeEventRecorder(
      KubeEventsAdapter.fromKubeConfig(kc),
      { enabled: true, podName: 'spot-handler-x1', extraAnnotations: { team: 'infra' } },
      { logger: captureLogger().logger, clock: new FakeClock(), metrics },
    );
  });

  it('creates events.k8s.io/v1 Events that read back with every field', async () => {
    await recorder.noticeReceived(subject);
    const pod = {
      namespace: 'shop',
      name: 'db-0',
      pdb: 'db',
      reason: 'pdb' as const,
      message: 'would violate',
    };
    await recorder.podBlockedByPdb(subject, pod);
    const events = kc.makeApiClient(EventsV1Api);
    const list = await events.listNamespacedEvent({ namespace: 'default' });
    const ours = list.items.filter((e) => e.regarding?.name === 'ip-10-0-0-1');
    // lists come back in name order, and names end in a random suffix
    expect(ours.map((e) => e.reason).sort()).toEqual(['PodBlockedByPdb', 'SpotInterruption']);
    const notice = ours.find((e) => e.reason === 'SpotInterruption')!;
    const blocked = ours.find((e) => e.reason === 'PodBlockedByPdb')!;
    expect(notice).toMatchObject({
      type: 'Normal',
      action: 'Notice',
      reportingController: 'spot-handler',
      reportingInstance: 'spot-handler-x1',
      regarding: { kind: 'Node', apiVersion: 'v1', name: 'ip-10-0-0-1', uid: subject.nodeUid },
    });
    expect(notice.metadata?.name).toMatch(/^ip-10-0-0-1\./);
    expect(notice.metadata?.annotations).toMatchObject({
      'spot-handler/instance-id': 'i-0abc',
      'spot-handler/event-id': 'spot-itn-i-0abc-1',
      'spot-handler/kind': 'spot-interruption',
      team: 'infra',
    });
    expect(blocked.note).toContain('shop/db-0');
    expect(blocked.note).toContain('PodDisruptionBudget shop/db');
    expect(
      sim.requests.count({ method: 'POST', path: '/apis/events.k8s.io/v1/namespaces/default/events' }),
    ).toBe(2);
  });

  it('sends eventTime as a MicroTime (6 fractional digits), which the API server requires', () => {
    const wire = JSON.parse(
      JSON.stringify(toV1Event({ ...baseBody(), eventTimeMs: Date.parse('2026-11-29T10:00:00.123Z') })),
    );
    expect(wire.eventTime).toBe('2026-11-29T10:00:00.123000Z');
    expect(wire).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'n.0000000000000001' },
    });
  });

  it('shows up as core/v1 Events for the node (what kubectl describe node reads)', async () => {
    await recorder.cordoned(subject);
    const core = kc.makeApiClient(CoreV1Api);
    const list = await core.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: 'involvedObject.name=ip-10-0-0-1,reason=Cordoned',
    });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      reason: 'Cordoned',
      type: 'Normal',
      involvedObject: { kind: 'Node' },
    });
  });

  it('fills in the node uid, which kubectl describe node selects by; looks it up once per node', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const node = await core.createNode({ body: { metadata: { name: 'ip-10-0-0-7' } } });
    const s = { ...subject, nodeName: 'ip-10-0-0-7', nodeUid: undefined };
    await recorder.cordoned(s);
    await recorder.drainStarted(s);
    const list = await core.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: `involvedObject.kind=Node,involvedObject.name=ip-10-0-0-7,involvedObject.uid=${node.metadata?.uid}`,
    });
    expect(list.items.map((e) => e.reason).sort()).toEqual(['Cordoned', 'DrainStarted']);
    expect(sim.requests.count({ method: 'GET', path: '/api/v1/nodes/ip-10-0-0-7' })).toBe(1);
    // a node that cannot be read: the Event still goes out, without a uid
    await recorder.cordoned({ ...s, nodeName: 'ip-10-0-0-8' });
    const other = await core.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: 'involvedObject.name=ip-10-0-0-8',
    });
    expect(other.items.map((e) => e.involvedObject.uid)).toEqual([undefined]);
  });

  it('maps API errors to typed errors and the recorder counts them without throwing', async () => {
    const adapter = KubeEventsAdapter.fromKubeConfig(kc);
    const body = { ...baseBody(), note: 'x' };
    sim.faults.add({ path: /\/events$/, method: 'POST', status: 503, count: 1 });
    await expect(adapter.createEvent(body)).rejects.toBeInstanceOf(TransientError);
    sim.faults.add({ path: /\/events$/, method: 'POST', status: 403, count: 1 });
    await expect(adapter.createEvent(body)).rejects.toBeInstanceOf(PermanentError);
    sim.faults.add({ path: /\/events$/, method: 'POST', status: 500, count: 1 });
    await expect(recorder.drainStarted(subject)).resolves.toBeUndefined();
    expect((await metrics.kubeEventsFailed.get()).values[0]?.value).toBe(1);
  });

  it('the simulator rejects an over-long note, so the recorder cuts notes to 1 KiB', async () => {
    const adapter = KubeEventsAdapter.fromKubeConfig(kc);
    await expect(adapter.createEvent({ ...baseBody(), note: 'y'.repeat(1025) })).rejects.toBeInstanceOf(
      PermanentError,
    );
    await recorder.uncordoned(subject, 'z'.repeat(3000));
    expect((await metrics.kubeEventsFailed.get()).values[0]?.value ?? 0).toBe(0);
  });
});

function baseBody() {
  return {
    namespace: 'default',
    name: 'n.0000000000000001',
    annotations: {},
    eventTimeMs: Date.now(),
    reportingController: 'spot-handler',
    reportingInstance: 'p',
    action: 'Test',
    reason: 'Cordoned' as const,
    type: 'Normal' as const,
    note: '',
    regarding: { kind: 'Node' as const, apiVersion: 'v1' as const, name: 'n' },
  };
}
