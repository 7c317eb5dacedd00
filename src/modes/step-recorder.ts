/**
 * Adapter: the executor's StepRecorder port on the KubeEventRecorder. Events are written in the
 * background so that creating them never delays a cordon or a drain (the recorder never throws).
 */
import type { NodeStepReport, StepRecorder } from '../pipeline/executor-ports.js';
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
  s: KubeEventSubject,
  report: NodeStepReport,
): Promise<void> {
  switch (report.step) {
    case 'notice':
      return recorder.noticeReceived(s);
    case 'tainted':
      return recorder.tainted(s, `spot-handler/${s.event.kind}`);
    case 'cordoned':
      return recorder.cordoned(s);
    case 'drain-started':
      return recorder.drainStarted(s);
    case 'uncordoned':
      return recorder.uncordoned(s, 'the interruption no longer applies');
    case 'lifecycle-completed':
      return recorder.lifecycleCompleted(s, 'lifecycle hook', 'CONTINUE');
    case 'drained':
    case 'drain-failed': {
      const drain = report.drain;
      if (!drain) return;
      const blockers = drain.blockedBy.filter((b) => b.reason === 'pdb' || b.reason === 'multiple-pdbs');
      for (const b of blockers.slice(0, MAX_BLOCKER_EVENTS)) await recorder.podBlockedByPdb(s, b);
      for (const surge of (drain.surges ?? []).slice(0, MAX_BLOCKER_EVENTS))
        await recorder.surgeFinished(s, surge);
      return recorder.drainFinished(s, drain);
    }
  }
}
