/**
 * Kubernetes Events (events.k8s.io/v1) on the node for each step of a node action, so that
 * `kubectl describe node` and `kubectl get events` tell the story, including which pod and PDB
 * blocked a drain (NTH #936).
 *
 * Choices:
 * - Namespace `default`, as NTH does (a Node is cluster-scoped; the API server accepts `default`).
 * - Identical events (same node, reason and note) within `dedupWindowMs` are not sent again; the next
 *   one after the window says how many were suppressed. This keeps PDB retry loops from spamming.
 * - Dry run still records events, with the note prefixed `[dry-run]` and the annotation
 *   `spot-handler/dry-run: "true"`: the events are how a dry run shows what would have happened.
 * - Failures are logged and counted (`spot_handler_kube_events_failed_total`), never thrown.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { InterruptionEvent } from '../events/interruption-event.js';
import {
  MARK,
  type BlockingPod,
  type DrainResult,
  type SurgeReport,
} from '../pipeline/node-actuator-port.js';
import type { Metrics } from './metrics.js';
import { blockedPodText, drainResultText, inWords, KIND_TEXT } from './kube-event-notes.js';
import {
  eventName,
  EVENTS_NAMESPACE,
  KUBE_EVENT_REASONS,
  MAX_NOTE_CHARS,
  NOTICE_REASON,
  REPORTING_CONTROLLER,
  type KubeEventBody,
  type KubeEventReason,
  type KubeEventSink,
} from './kube-event-body.js';

/** Options, from the `node` config section and the pod identity. */
export interface KubeEventRecorderOptions {
  /** EMIT_KUBERNETES_EVENTS; false makes every method a no-op. */
  readonly enabled: boolean;
  /** reportingInstance: POD_NAME (falls back to the node name, then `spot-handler`). */
  readonly podName?: string;
  readonly nodeName?: string;
  readonly extraAnnotations?: Readonly<Record<string, string>>;
  readonly dryRun?: boolean;
  /** Window for suppressing identical events (default 60 s). */
  readonly dedupWindowMs?: number;
  /** TAINT_EFFECT when TAINT_NODE is on (the Cordoned Event names the taint); unset: no taint. */
  readonly taintEffect?: string;
}

/** What an Event is about: the interruption and the node. */
export interface KubeEventSubject {
  readonly event: Pick<InterruptionEvent, 'id' | 'kind' | 'instanceId' | 'description' | 'deadlineMs'>;
  readonly nodeName: string;
  readonly nodeUid?: string;
}

interface Seen {
  readonly atMs: number;
  suppressed: number;
}

const MAX_TRACKED = 2000;

/** Creates Kubernetes Events for each step of a node action; never throws. */
export class KubeEventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly log: Logger;
  private readonly windowMs: number;
  private readonly clock: Clock;
  private readonly metrics: Metrics;
  /** Sub-millisecond part of event names, so that two Events in one millisecond get two names. */
  private nameSeq = Math.floor(Math.random() * 1_000_000);

  constructor(
    private readonly sink: KubeEventSink,
    private readonly options: KubeEventRecorderOptions,
    deps: { readonly logger: Logger; readonly clock: Clock; readonly metrics: Metrics },
  ) {
    this.log = deps.logger.child({ component: 'kube-events' });
    this.clock = deps.clock;
    this.metrics = deps.metrics;
    this.windowMs = options.dedupWindowMs ?? 60_000;
  }

  /** A notice arrived for the node (reason per kind; Normal, as NTH's "interruption received" Events). */
  noticeReceived(s: KubeEventSubject): Promise<void> {
    const e = s.event;
    const when =
      e.kind === 'asg-launch'
        ? 'the lifecycle action is completed once the node is Ready'
        : `deadline ${this.deadlineText(e.deadlineMs)}`;
    const note = `${KIND_TEXT[e.kind]} for instance ${e.instanceId} (${e.description}); ${when}`;
    return this.emit(s, NOTICE_REASON[e.kind], 'Normal', 'Notice', note);
  }

  /** The node was cordoned, and tainted when TAINT_NODE is on (one write, so one Event). */
  cordoned(s: KubeEventSubject): Promise<void> {
    const effect = this.options.taintEffect;
    const taint = effect ? ` and tainted ${MARK.taintPrefix}${s.event.kind}:${effect}` : '';
    const why = `${KIND_TEXT[s.event.kind].toLowerCase()} for instance ${s.event.instanceId}`;
    const note = `Node cordoned${taint} (${why}): no new pods are scheduled on it`;
    return this.emit(s, KUBE_EVENT_REASONS.Cordoned, 'Normal', 'Cordon', note);
  }

  /** A drain began. */
  drainStarted(s: KubeEventSubject): Promise<void> {
    const note = `Draining node: evicting its pods before the deadline ${this.deadlineText(s.event.deadlineMs)}`;
    return this.emit(s, KUBE_EVENT_REASONS.DrainStarted, 'Normal', 'Drain', note);
  }

  /**
   * A PodDisruptionBudget kept a pod from being evicted (names the pod and the PDB); `outcome`, the drain's
   * result, says what became of the pod.
   */
  podBlockedByPdb(s: KubeEventSubject, pod: BlockingPod, outcome?: DrainResult['result']): Promise<void> {
    const note = `Pod ${pod.namespace}/${pod.name} ${blockedPodText(pod, outcome)}`;
    return this.emit(s, KUBE_EVENT_REASONS.PodBlockedByPdb, 'Warning', 'Evict', note);
  }

  /** A drain ended; the reason follows the result (Drained, DrainForced, DrainBlocked, DrainFailed). */
  drainFinished(s: KubeEventSubject, r: DrainResult): Promise<void> {
    const note = drainResultText(r);
    switch (r.result) {
      case 'succeeded':
        return this.emit(s, KUBE_EVENT_REASONS.Drained, 'Normal', 'Drain', note);
      case 'forced':
        return this.emit(s, KUBE_EVENT_REASONS.DrainForced, 'Warning', 'Drain', note);
      case 'blocked':
        return this.emit(s, KUBE_EVENT_REASONS.DrainBlocked, 'Warning', 'Drain', note);
      case 'timed_out':
      case 'failed':
        return this.emit(s, KUBE_EVENT_REASONS.DrainFailed, 'Warning', 'Drain', note);
    }
  }

  /** The node was uncordoned (`why`: what ended). */
  uncordoned(s: KubeEventSubject, why: string): Promise<void> {
    return this.emit(s, KUBE_EVENT_REASONS.Uncordoned, 'Normal', 'Uncordon', `Node uncordoned: ${why}`);
  }

  /** The ASG lifecycle action was completed. */
  lifecycleCompleted(s: KubeEventSubject, hookName: string, result: string): Promise<void> {
    const next =
      s.event.kind === 'asg-launch'
        ? 'the instance goes InService'
        : 'Auto Scaling goes on terminating the instance';
    const note = `Completed lifecycle action of hook ${hookName} with ${result}: ${next}`;
    return this.emit(s, KUBE_EVENT_REASONS.LifecycleCompleted, 'Normal', 'CompleteLifecycleAction', note);
  }

  /**
   * Surge before evict surged or fell back for a Deployment (docs/surge-before-evict.md): one Event on the
   * Deployment (in its namespace) and one on the node.
   */
  async surgeFinished(s: KubeEventSubject, r: SurgeReport): Promise<void> {
    if (r.result === 'not_eligible') return;
    const secs = ((r.replacementMs ?? 0) / 1000).toFixed(1);
    const joined = r.joined ? ' (joined the rollout in progress)' : ' (rollout restarted)';
    const surged = r.result === 'surged';
    const reason = surged ? KUBE_EVENT_REASONS.SurgedBeforeEvict : KUBE_EVENT_REASONS.SurgeFellBack;
    const type = surged ? 'Normal' : 'Warning';
    const what = surged
      ? `replacement Ready on another node after ${secs}s${joined}; then the pod on node ${s.nodeName} was evicted`
      : `no replacement Ready after ${secs}s${joined}; the pod on node ${s.nodeName} was evicted the normal way before the deadline`;
    const deployment = {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      name: r.name,
      namespace: r.namespace,
    } as const;
    await this.emit(s, reason, type, 'Surge', `Surge before evict: ${what}`, deployment);
    await this.emit(
      s,
      reason,
      type,
      'Surge',
      `Surge before evict for Deployment ${r.namespace}/${r.name}: ${what}`,
    );
  }

  /** Creates one Event unless disabled or a duplicate within the window; failures are logged and counted. */
  async emit(
    s: KubeEventSubject,
    reason: KubeEventReason,
    type: 'Normal' | 'Warning',
    action: string,
    note: string,
    regarding?: KubeEventBody['regarding'],
  ): Promise<void> {
    if (!this.options.enabled) return;
    const about = regarding ? `${regarding.namespace ?? ''}/${regarding.name}` : s.nodeName;
    const suppressed = this.checkDuplicate(`${about}\u0000${reason}\u0000${note}`);
    if (suppressed === undefined) return;
    const suffix = suppressed > 0 ? ` (${suppressed} identical events suppressed)` : '';
    const body = this.buildBody(s, reason, type, action, `${note}${suffix}`, regarding);
    try {
      await this.sink.createEvent(body);
    } catch (err) {
      this.metrics.kubeEventsFailed.inc();
      this.log.warn(
        { err, reason, node: s.nodeName, next: 'not retried; the node action goes on' },
        'could not create Kubernetes Event',
      );
    }
  }

  /** `2026-11-29T10:02:00.000Z (in 2 min)`. */
  private deadlineText(deadlineMs: number): string {
    return `${new Date(deadlineMs).toISOString()} (${inWords(deadlineMs - this.clock.now())})`;
  }

  /** undefined: suppress; else the number suppressed since the last one sent. */
  private checkDuplicate(key: string): number | undefined {
    const now = this.clock.now();
    const prior = this.seen.get(key);
    if (prior && now - prior.atMs < this.windowMs) {
      prior.suppressed++;
      return undefined;
    }
    this.seen.delete(key);
    if (this.seen.size >= MAX_TRACKED) this.prune(now);
    this.seen.set(key, { atMs: now, suppressed: 0 });
    return prior?.suppressed ?? 0;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.seen) {
      if (now - entry.atMs >= this.windowMs || this.seen.size >= MAX_TRACKED) this.seen.delete(key);
    }
  }

  private buildBody(
    s: KubeEventSubject,
    reason: KubeEventReason,
    type: 'Normal' | 'Warning',
    action: string,
    note: string,
    regarding?: KubeEventBody['regarding'],
  ): KubeEventBody {
    const dry = this.options.dryRun === true;
    const fullNote = dry ? `[dry-run] ${note}` : note;
    const annotations: Record<string, string> = {
      'spot-handler/instance-id': s.event.instanceId,
      'spot-handler/kind': s.event.kind,
      'spot-handler/event-id': s.event.id,
      ...(dry ? { 'spot-handler/dry-run': 'true' } : {}),
      ...this.options.extraAnnotations,
    };
    return {
      namespace: regarding?.namespace ?? EVENTS_NAMESPACE,
      name: eventName(regarding?.name ?? s.nodeName, this.clock.now(), this.nameSeq++),
      annotations,
      eventTimeMs: this.clock.now(),
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: (this.options.podName || this.options.nodeName || REPORTING_CONTROLLER).slice(
        0,
        128,
      ),
      action,
      reason,
      type,
      note: fullNote.length > MAX_NOTE_CHARS ? `${fullNote.slice(0, MAX_NOTE_CHARS - 1)}…` : fullNote,
      regarding: regarding ?? {
        kind: 'Node',
        apiVersion: 'v1',
        name: s.nodeName,
        ...(s.nodeUid ? { uid: s.nodeUid } : {}),
      },
    };
  }
}
