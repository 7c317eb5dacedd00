/**
 * How an Event goes on the wire: the reason constants, the events.k8s.io/v1 body we fill in, its name
 * (as client-go's recorder makes it), and the extra-annotations option. What the notes say is
 * kube-event-notes.ts; the recorder that decides when to send one is kube-events.ts.
 */
import type { EventKind } from '../events/interruption-event.js';

/**
 * Every Event reason spot-handler uses, one constant each (UpperCamelCase, as Kubernetes reasons are).
 * The notice reasons are NTH's where NTH has one (SpotInterruption, RebalanceRecommendation,
 * ScheduledEvent, StateChange, ASGLifecycle), so field selectors written for NTH keep working; the step
 * reasons say what was done (docs/alerts.md#kubernetes-events).
 */
export const KUBE_EVENT_REASONS = {
  SpotInterruption: 'SpotInterruption',
  RebalanceRecommendation: 'RebalanceRecommendation',
  ScheduledEvent: 'ScheduledEvent',
  ASGLifecycle: 'ASGLifecycle',
  ASGLaunchLifecycle: 'ASGLaunchLifecycle',
  StateChange: 'StateChange',
  Cordoned: 'Cordoned',
  DrainStarted: 'DrainStarted',
  PodBlockedByPdb: 'PodBlockedByPdb',
  Drained: 'Drained',
  DrainForced: 'DrainForced',
  DrainFailed: 'DrainFailed',
  DrainBlocked: 'DrainBlocked',
  Uncordoned: 'Uncordoned',
  LifecycleCompleted: 'LifecycleCompleted',
  SurgedBeforeEvict: 'SurgedBeforeEvict',
  SurgeFellBack: 'SurgeFellBack',
} as const;
/** One of KUBE_EVENT_REASONS. */
export type KubeEventReason = (typeof KUBE_EVENT_REASONS)[keyof typeof KUBE_EVENT_REASONS];

/** The "notice received" reason for each event kind. */
export const NOTICE_REASON: Readonly<Record<EventKind, KubeEventReason>> = {
  'spot-interruption': KUBE_EVENT_REASONS.SpotInterruption,
  'rebalance-recommendation': KUBE_EVENT_REASONS.RebalanceRecommendation,
  'scheduled-maintenance': KUBE_EVENT_REASONS.ScheduledEvent,
  'asg-termination': KUBE_EVENT_REASONS.ASGLifecycle,
  'asg-launch': KUBE_EVENT_REASONS.ASGLaunchLifecycle,
  'state-change': KUBE_EVENT_REASONS.StateChange,
};

/** `reportingController` of every Event we create. */
export const REPORTING_CONTROLLER = 'spot-handler';
/** Namespace of the Events (Node is cluster-scoped; NTH uses `default` too). */
export const EVENTS_NAMESPACE = 'default';
/** The API server rejects notes over 1 KiB. */
export const MAX_NOTE_CHARS = 1024;

/** An events.k8s.io/v1 Event, as far as we fill it in. `eventTimeMs` becomes a MicroTime in the adapter. */
export interface KubeEventBody {
  readonly namespace: string;
  /** `<node>.<16 hex digits>`, as client-go's event recorder names Events (see eventName). */
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly eventTimeMs: number;
  readonly reportingController: string;
  readonly reportingInstance: string;
  readonly action: string;
  readonly reason: KubeEventReason;
  readonly type: 'Normal' | 'Warning';
  readonly note: string;
  readonly regarding: {
    readonly kind: 'Node' | 'Deployment';
    readonly apiVersion: 'v1' | 'apps/v1';
    readonly name: string;
    readonly namespace?: string;
    readonly uid?: string;
  };
}

/** The port the recorder writes through (src/kube/events-adapter.ts implements it). */
export interface KubeEventSink {
  /** Creates the Event; rejects on any API error. */
  createEvent(body: KubeEventBody): Promise<void>;
}

/**
 * An Event name as client-go's recorder makes it: `<object>.<time in ns, hex>` (16 hex digits today), a
 * valid DNS subdomain (a generateName ending in '.' is rejected with 422 by events.k8s.io/v1). The
 * nanoseconds are the clock's milliseconds plus `seq` (mod 10^6); the object part is cut so the name
 * stays within 253 characters.
 */
export function eventName(objectName: string, nowMs: number, seq: number): string {
  const nanos = BigInt(Math.max(0, Math.floor(nowMs))) * 1_000_000n + BigInt(seq % 1_000_000);
  const suffix = nanos.toString(16).padStart(16, '0');
  const base = objectName.slice(0, 253 - suffix.length - 1).replace(/[-.]+$/, '');
  return `${base}.${suffix}`;
}

/** Parses KUBERNETES_EVENTS_EXTRA_ANNOTATIONS (`k=v,k2=v2`); returns problems for malformed entries. */
export function parseExtraAnnotations(text: string): {
  annotations: Record<string, string>;
  problems: string[];
} {
  const annotations: Record<string, string> = {};
  const problems: string[] = [];
  for (const entry of text.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim() : '';
    if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key)) {
      problems.push(`annotation "${entry}" is not key=value with a valid key`);
      continue;
    }
    annotations[key] = entry.slice(eq + 1).trim();
  }
  return { annotations, problems };
}
