/**
 * Kubernetes Events on both servers: the daemon's recorder (through the client-node adapter) creates
 * events.k8s.io/v1 Events that a real API server accepts, and the simulator rejects exactly the names
 * and generateNames the real server rejects, with the same 422 Status body.
 * The real side runs when TEST_KUBECONFIG is set (`npm run test:real`) and is skipped otherwise.
 */
import * as k8s from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { KubeEventsAdapter } from '../../src/kube/events-adapter.js';
import { createMetrics } from '../../src/report/metrics.js';
import { EVENTS_NAMESPACE, eventName } from '../../src/report/kube-event-body.js';
import { KubeEventRecorder } from '../../src/report/kube-events.js';
import { captureLogger } from '../unit/report/capture-logger.js';
import {
  REAL_SKIP_REASON,
  startRealTarget,
  startSimulatorTarget,
  uniqueNamespace,
  type FidelityTarget,
} from './fidelity-targets.js';

const TARGETS = [
  { which: 'simulator', skip: undefined, start: startSimulatorTarget },
  { which: 'real', skip: REAL_SKIP_REASON, start: startRealTarget },
] as const;

/** The random 5-character suffix after `prefix` becomes XXXXX, so bodies compare across servers. */
function normalize(value: unknown, prefix: string): unknown {
  if (typeof value === 'string') {
    const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return value.replace(new RegExp(`${escaped}[a-z0-9]{5}(?![a-z0-9])`, 'g'), `${prefix}XXXXX`);
  }
  if (Array.isArray(value)) return value.map((v) => normalize(v, prefix));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v, prefix)]));
  }
  return value;
}

function eventBody(meta: Record<string, unknown>, node: string): Record<string, unknown> {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: meta,
    eventTime: new Date().toISOString().replace('Z', '000Z'),
    reportingController: 'spot-handler',
    reportingInstance: 'fidelity',
    action: 'Test',
    reason: 'Cordoned',
    type: 'Normal',
    note: 'fidelity',
    regarding: { kind: 'Node', apiVersion: 'v1', name: node },
  };
}

/** Invalid name shapes, each with the real server's 422 Status body (recorded from kube-apiserver 1.24). */
const SUBDOMAIN = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;

describe('eventName: client-go recorder style names', () => {
  it('is <object>.<16 hex digits>, a valid DNS subdomain, unique per sequence number', () => {
    const a = eventName('ip-10-0-0-1.ec2.internal', Date.parse('2026-12-07T15:00:00Z'), 0);
    const b = eventName('ip-10-0-0-1.ec2.internal', Date.parse('2026-12-07T15:00:00Z'), 1);
    expect(a).toMatch(/^ip-10-0-0-1\.ec2\.internal\.[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
    const long = eventName(`${'a'.repeat(240)}.b`, 0, 0);
    expect(long.length).toBeLessThanOrEqual(253);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
  });
});

for (const { which, skip, start } of TARGETS) {
  describe.skipIf(skip !== undefined)(`Events on the ${which} server${skip ? ` (${skip})` : ''}`, () => {
    let t: FidelityTarget;
    const node = uniqueNamespace('ev-node');

    beforeAll(async () => {
      t = await start();
    }, 30_000);
    afterAll(async () => {
      const core = t?.kc.makeApiClient(k8s.CoreV1Api);
      const list = await core?.listNamespacedEvent({
        namespace: EVENTS_NAMESPACE,
        fieldSelector: `involvedObject.name=${node}`,
      });
      for (const e of list?.items ?? []) {
        await core
          ?.deleteNamespacedEvent({ namespace: EVENTS_NAMESPACE, name: e.metadata?.name ?? '' })
          .catch(() => undefined);
      }
      await t?.stop();
    });

    it('the recorder creates Events that the server accepts and kubectl-style core reads show', async () => {
      const metrics = createMetrics(
        new Registry(),
        { version: 't', mode: 'imds' },
        { defaultMetrics: false },
      );
      const logs = captureLogger();
      const recorder = new KubeEventRecorder(
        KubeEventsAdapter.fromKubeConfig(t.kc),
        { enabled: true, podName: 'spot-handler-x1' },
        { logger: logs.logger, clock: new FakeClock(Date.now()), metrics },
      );
      const subject = {
        event: {
          id: 'spot-itn-1',
          kind: 'spot-interruption' as const,
          instanceId: 'i-0abc',
          description: 'terminate',
          deadlineMs: Date.now() + 120_000,
        },
        nodeName: node,
      };
      await recorder.noticeReceived(subject);
      await recorder.cordoned(subject);
      await recorder.drainStarted(subject);
      expect((await metrics.kubeEventsFailed.get()).values[0]?.value ?? 0).toBe(0);
      const core = t.kc.makeApiClient(k8s.CoreV1Api);
      const list = await core.listNamespacedEvent({
        namespace: EVENTS_NAMESPACE,
        fieldSelector: `involvedObject.kind=Node,involvedObject.name=${node}`,
      });
      expect(list.items.map((e) => e.reason).sort()).toEqual([
        'Cordoned',
        'DrainStarted',
        'SpotInterruption',
      ]);
      for (const e of list.items) {
        expect(e.metadata?.name).toMatch(new RegExp(`^${node.replace(/\./g, '\\.')}\\.[0-9a-f]{16}$`));
        expect(e.reportingComponent).toBe('spot-handler');
        expect(e.reportingInstance).toBe('spot-handler-x1');
        expect(e.action).toBeTruthy();
        expect(e.eventTime).toBeTruthy();
      }
    });

    const cases: {
      what: string;
      meta: Record<string, string>;
      status: number;
      causes?: { field: string; value: string; message: string }[];
    }[] = [
      {
        what: 'generateName ending in "."',
        meta: { generateName: 'NODE.' },
        status: 422,
        causes: [{ field: 'metadata.generateName', value: 'NODE.', message: SUBDOMAIN }],
      },
      { what: 'generateName ending in "-"', meta: { generateName: 'NODE-' }, status: 201 },
      {
        what: 'name with an underscore',
        meta: { name: 'Bad_Name' },
        status: 422,
        causes: [{ field: 'metadata.name', value: 'Bad_Name', message: SUBDOMAIN }],
      },
      {
        what: 'valid name with an invalid generateName',
        meta: { name: 'NODE.x', generateName: 'Bad.' },
        status: 422,
        causes: [{ field: 'metadata.generateName', value: 'Bad.', message: SUBDOMAIN }],
      },
      {
        what: 'name over 253 characters',
        meta: { name: 'a'.repeat(254) },
        status: 422,
        causes: [
          { field: 'metadata.name', value: 'a'.repeat(254), message: 'must be no more than 253 characters' },
        ],
      },
      { what: 'client-go style name', meta: { name: 'NODE.17a0b1c2d3e4f5a6' }, status: 201 },
    ];
    for (const c of cases) {
      it(`events.k8s.io/v1 create, ${c.what}: ${c.status}`, async () => {
        const sub = (v: string): string => v.replace('NODE', node);
        const meta: Record<string, string> = Object.fromEntries(
          Object.entries(c.meta).map(([k, v]) => [k, sub(String(v))]),
        );
        const r = await t.raw(
          'POST',
          `/apis/events.k8s.io/v1/namespaces/${EVENTS_NAMESPACE}/events`,
          eventBody(meta, node),
        );
        expect(r.status, r.text).toBe(c.status);
        if (c.status !== 422) return;
        const causes = (c.causes ?? []).map((x) => ({
          reason: 'FieldValueInvalid',
          message: `Invalid value: "${sub(x.value)}": ${x.message}`,
          field: x.field,
        }));
        const generateName = meta['generateName'];
        const name = meta['name'] ?? `${generateName ?? ''}XXXXX`;
        const list = causes.map((x) => `${x.field}: ${x.message}`).join(', ');
        const body = generateName ? normalize(r.body, generateName) : r.body;
        expect(body).toEqual({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `Event "${name}" is invalid: ${causes.length > 1 ? `[${list}]` : list}`,
          reason: 'Invalid',
          details: { name, kind: 'Event', causes },
          code: 422,
        });
      });
    }
  });
}
