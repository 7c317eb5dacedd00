/** Kubernetes Events of surge before evict: one on the Deployment (its namespace), one on the node. */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { createMetrics } from '../../../src/report/metrics.js';
import { KubeEventRecorder, type KubeEventSubject } from '../../../src/report/kube-events.js';
import type { KubeEventBody, KubeEventSink } from '../../../src/report/kube-event-body.js';
import { captureLogger } from './capture-logger.js';

class Sink implements KubeEventSink {
  readonly events: KubeEventBody[] = [];
  async createEvent(body: KubeEventBody): Promise<void> {
    this.events.push(body);
  }
}

const subject: KubeEventSubject = {
  event: { id: 'e1', kind: 'spot-interruption', instanceId: 'i-1', description: 'x', deadlineMs: 0 },
  nodeName: 'n1',
};

function recorder(sink: Sink): KubeEventRecorder {
  const metrics = createMetrics(new Registry(), { version: 't', mode: 'imds' }, { defaultMetrics: false });
  return new KubeEventRecorder(
    sink,
    { enabled: true },
    { logger: captureLogger().logger, clock: new FakeClock(), metrics },
  );
}

describe('surge Events', () => {
  it('surged: Normal SurgedBeforeEvict on the Deployment and on the node, with the time taken', async () => {
    const sink = new Sink();
    await recorder(sink).surgeFinished(subject, {
      namespace: 'shop',
      name: 'cart',
      kind: 'Deployment',
      result: 'surged',
      replacementMs: 8400,
    });
    expect(
      sink.events.map((e) => [e.namespace, e.regarding.kind, e.regarding.name, e.reason, e.type]),
    ).toEqual([
      ['shop', 'Deployment', 'cart', 'SurgedBeforeEvict', 'Normal'],
      ['default', 'Node', 'n1', 'SurgedBeforeEvict', 'Normal'],
    ]);
    expect(sink.events[0]?.regarding).toMatchObject({ apiVersion: 'apps/v1', namespace: 'shop' });
    expect(sink.events[0]?.name).toMatch(/^cart\.[0-9a-f]{16}$/);
    for (const e of sink.events) expect(e.note).toContain('after 8.4s');
    expect(sink.events[1]?.note).toContain('Deployment shop/cart');
  });

  it('fell back: Warning SurgeFellBack; not eligible: no Event', async () => {
    const sink = new Sink();
    const r = recorder(sink);
    await r.surgeFinished(subject, {
      namespace: 'shop',
      name: 'api',
      kind: 'Deployment',
      result: 'fell_back',
      joined: true,
      replacementMs: 60_000,
    });
    await r.surgeFinished(subject, {
      namespace: 'shop',
      name: 'db',
      kind: 'StatefulSet',
      result: 'not_eligible',
      reason: 'not-deployment',
    });
    expect(sink.events.map((e) => [e.reason, e.type])).toEqual([
      ['SurgeFellBack', 'Warning'],
      ['SurgeFellBack', 'Warning'],
    ]);
    expect(sink.events[0]?.note).toContain('joined the rollout in progress');
  });
});
