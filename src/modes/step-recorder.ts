/**
 * Adapter: the executor's StepRecorder port on the KubeEventRecorder. Events are written in the
 * background so that creating them never delays a cordon or a drain (the recorder never throws).
 */
import type { InterruptionEvent } from '../events/interruption-event.js';
import type { NodeStepReport, StepRecorder } from '../pipeline/executor-ports.js';
import type { DrainResult } from '../pipeline/node-actuator-port.js';
import { KIND_TEXT } from '../report/kube-event-notes.js';
import type { KubeEventRecorder, KubeEventSubject } from '../report/kube-events.js';

/** At most this many PodBlockedByPdb events per drain. */
const MAX_BLOCKER_EVENTS = 5;

/** Wraps the recorder; `pending()` lets tests and shutdown wait for writes in flight. */
export function stepRecorder(recorder: KubeEventRecorder): StepRecorder & { pending(): Promise<void> } {
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>): void => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  return {
    recordStep: (nodeName, report, event) => {
      track(write(recorder, { event, nodeName }, report));
      return Promise.resolve();
    },
    pending: async () => {
      await Promise.allSettled([...inFlight]);
    },
  };
}

async function write(
  recorder: KubeEventRecorder,
  s: KubeEventSubject & { readonly event: InterruptionEvent },
  report: NodeStepReport,
): Promise<void> {
  switch (report.step) {
    case 'notice':
      return recorder.noticeReceived({ ...s, event: report.event });
    case 'tainted':
      return; // the taint goes with the cordon in one write: the Cordoned Event names it
    case 'cordoned':
      return recorder.cordoned(s);
    case 'drain-started':
      return recorder.drainStarted(s);
    case 'uncordoned':
      return recorder.uncordoned(
        s,
        `the ${KIND_TEXT[s.event.kind].toLowerCase()} for instance ${s.event.instanceId} is older than ` +
          'REBALANCE_CORDON_TTL_SECONDS and no interruption followed',
      );
    case 'lifecycle-completed': {
      const origin = s.event.origin;
      const hook = origin.type === 'sqs' && origin.lifecycle ? origin.lifecycle.hookName : 'lifecycle hook';
      return recorder.lifecycleCompleted(s, hook, 'CONTINUE');
    }
    case 'drained':
    case 'drain-failed': {
      const drain = report.drain;
      if (!drain) return recorder.drainFinished(s, failedWithoutResult(report));
      const blockers = drain.blockedBy.filter((b) => b.reason === 'pdb' || b.reason === 'multiple-pdbs');
      for (const b of blockers.slice(0, MAX_BLOCKER_EVENTS))
        await recorder.podBlockedByPdb(s, b, drain.result);
      for (const surge of (drain.surges ?? []).slice(0, MAX_BLOCKER_EVENTS))
        await recorder.surgeFinished(s, surge);
      return recorder.drainFinished(s, drain);
    }
  }
}

/** A drain that failed before it had a result (the executor's error only). */
function failedWithoutResult(report: NodeStepReport): DrainResult {
  const error = report.step === 'drain-failed' ? (report.error ?? 'error') : 'error';
  return {
    result: 'failed',
    error,
    podsEvicted: 0,
    podsForceDeleted: 0,
    podsRemaining: 0,
    blockedBy: [],
    durationMs: 0,
  };
}
