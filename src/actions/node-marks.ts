/**
 * The markers spot-handler writes on a node (MARK in src/pipeline/node-actuator-port.ts), computed as merge
 * patches from the node as read. Pure: node-writer.ts applies them with optimistic concurrency.
 */
import { EVENT_KINDS, type EventKind } from '../events/interruption-event.js';
import { MARK, type NodeMarking, type NodePhase, type NodeState } from '../pipeline/node-actuator-port.js';
import type {
  KubeNode,
  NodeCondition,
  NodeMergePatch,
  NodeStatusPatch,
  Taint,
  TaintEffect,
} from './kube-types.js';

/** The standard label that takes a node out of external load balancers. */
export const LB_EXCLUDE_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
/** The standard taint that lets pods with volumes move off a node that is shutting down. */
export const OUT_OF_SERVICE_TAINT: Taint = {
  key: 'node.kubernetes.io/out-of-service',
  value: 'nodeshutdown',
  effect: 'NoExecute',
};
/** Annotation "true" when we added the out-of-service taint (so unmark removes only our own). */
export const OUT_OF_SERVICE_ANNOTATION = 'spot-handler/out-of-service';

const PHASES: readonly NodePhase[] = ['noticed', 'cordoned', 'draining', 'drained', 'drain-failed'];
const OUR_ANNOTATIONS = [
  MARK.eventIdAnnotation,
  MARK.deadlineAnnotation,
  MARK.noticedAtAnnotation,
  MARK.cordonedAnnotation,
  MARK.lbExcludedAnnotation,
  MARK.reportedAnnotation,
  OUT_OF_SERVICE_ANNOTATION,
] as const;

/** A taint or label value: at most 63 characters of [A-Za-z0-9_.-], starting and ending alphanumeric. */
export function labelValue(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63);
  return cleaned.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

/** The taint for an event kind: `spot-handler/<kind>=<event id>:<effect>`. */
export function kindTaint(kind: EventKind, eventId: string, effect: TaintEffect): Taint {
  return { key: `${MARK.taintPrefix}${kind}`, value: labelValue(eventId), effect };
}

/** True for taints spot-handler owns (one per event kind). */
export function isOurTaint(taint: Taint): boolean {
  return EVENT_KINDS.some((kind) => taint.key === `${MARK.taintPrefix}${kind}`);
}

/** The taints with `taint` added, or undefined when a taint with its key and effect is already there. */
export function addTaint(taints: readonly Taint[], taint: Taint): Taint[] | undefined {
  if (taints.some((t) => t.key === taint.key && t.effect === taint.effect)) return undefined;
  return [...taints, taint];
}

/** Reads our markers back from a node (to resume after a restart). */
export function nodeStateOf(node: KubeNode): NodeState {
  const phase = node.labels[MARK.stateLabel];
  const kind = node.labels[MARK.kindLabel];
  const deadline = Date.parse(node.annotations[MARK.deadlineAnnotation] ?? '');
  const reported = node.annotations[MARK.reportedAnnotation];
  return {
    name: node.name,
    ...(node.providerId !== undefined ? { providerId: node.providerId } : {}),
    unschedulable: node.unschedulable,
    ready: node.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    labels: node.labels,
    ...(PHASES.includes(phase as NodePhase) ? { phase: phase as NodePhase } : {}),
    ...(node.annotations[MARK.eventIdAnnotation]
      ? { eventId: node.annotations[MARK.eventIdAnnotation] }
      : {}),
    ...((EVENT_KINDS as readonly string[]).includes(kind ?? '') ? { kind: kind as EventKind } : {}),
    ...(Number.isFinite(deadline) ? { deadlineMs: deadline } : {}),
    reported: reported ? reported.split(',').filter((s) => s.length > 0) : [],
    taintKeys: node.taints.map((t) => t.key),
  };
}

/** Options that shape the marking. */
export interface MarkOptions {
  readonly taintNode: boolean;
  readonly taintEffect: TaintEffect;
  readonly excludeFromLoadBalancers: boolean;
}

/**
 * The one patch that starts an action on a node: the kind taint, our labels (kind, and `phase` as the
 * state), annotations, the LB label, and the cordon (with the annotation saying the cordon is ours; a
 * node someone else cordoned is left as is). Only what differs from the node as read is sent; undefined
 * when nothing does (a resumed action writes nothing).
 */
export function markAndCordonPatch(
  node: KubeNode,
  marking: NodeMarking,
  phase: NodePhase,
  options: MarkOptions,
): NodeMergePatch | undefined {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const label = (key: string, value: string): void => {
    if (node.labels[key] !== value) labels[key] = value;
  };
  const annotate = (key: string, value: string): void => {
    if (node.annotations[key] !== value) annotations[key] = value;
  };
  const newEvent = node.annotations[MARK.eventIdAnnotation] !== marking.eventId;
  label(MARK.kindLabel, marking.kind);
  label(MARK.stateLabel, phase);
  annotate(MARK.eventIdAnnotation, marking.eventId);
  annotate(MARK.deadlineAnnotation, new Date(marking.deadlineMs).toISOString());
  annotate(MARK.noticedAtAnnotation, new Date(marking.noticedAtMs).toISOString());
  if (newEvent) annotations[MARK.reportedAnnotation] = '';
  if (options.excludeFromLoadBalancers && node.labels[LB_EXCLUDE_LABEL] === undefined) {
    labels[LB_EXCLUDE_LABEL] = 'spot-handler';
    annotations[MARK.lbExcludedAnnotation] = 'true';
  }
  if (!node.unschedulable) annotate(MARK.cordonedAnnotation, 'true');
  const taints = options.taintNode ? swapKindTaint(node.taints, marking, options.taintEffect) : undefined;
  const spec = { ...(taints ? { taints } : {}), ...(node.unschedulable ? {} : { unschedulable: true }) };
  if (Object.keys(labels).length + Object.keys(annotations).length + Object.keys(spec).length === 0)
    return undefined;
  return {
    metadata: { resourceVersion: node.resourceVersion, labels, annotations },
    ...(Object.keys(spec).length > 0 ? { spec } : {}),
  };
}

/**
 * The taints with ours for `marking` and none of ours for another kind (a stronger event replaces the
 * weaker one's taint), or undefined when they are so already.
 */
function swapKindTaint(
  taints: readonly Taint[],
  marking: NodeMarking,
  effect: TaintEffect,
): Taint[] | undefined {
  const wanted = kindTaint(marking.kind, marking.eventId, effect);
  const kept = taints.filter((t) => !isOurTaint(t) || t.key === wanted.key);
  const added = addTaint(kept, wanted);
  if (!added && kept.length === taints.length) return undefined;
  return added ?? kept;
}

/**
 * Moves the marks of a node to a stronger event merged into its running action: the kind taint (the
 * weaker kind's removed), the kind label, event id and deadline. State, cordon, notice time and the
 * webhooks already recorded stay (the start webhook is not sent again). Undefined when nothing differs.
 */
export function remarkPatch(
  node: KubeNode,
  marking: NodeMarking,
  options: Pick<MarkOptions, 'taintNode' | 'taintEffect'>,
): NodeMergePatch | undefined {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  if (node.labels[MARK.kindLabel] !== marking.kind) labels[MARK.kindLabel] = marking.kind;
  const deadline = new Date(marking.deadlineMs).toISOString();
  if (node.annotations[MARK.eventIdAnnotation] !== marking.eventId)
    annotations[MARK.eventIdAnnotation] = marking.eventId;
  if (node.annotations[MARK.deadlineAnnotation] !== deadline) annotations[MARK.deadlineAnnotation] = deadline;
  const taints = options.taintNode ? swapKindTaint(node.taints, marking, options.taintEffect) : undefined;
  if (Object.keys(labels).length + Object.keys(annotations).length === 0 && !taints) return undefined;
  return {
    metadata: { resourceVersion: node.resourceVersion, labels, annotations },
    ...(taints ? { spec: { taints } } : {}),
  };
}

/** Cordon patch alone, or undefined when already unschedulable (someone else's cordon is not ours to record). */
export function cordonPatch(node: KubeNode): NodeMergePatch | undefined {
  if (node.unschedulable) return undefined;
  return {
    metadata: { resourceVersion: node.resourceVersion, annotations: { [MARK.cordonedAnnotation]: 'true' } },
    spec: { unschedulable: true },
  };
}

/** The reported annotation with `triggers` added, or undefined when they are all there already. */
function reportedValue(node: KubeNode, triggers: readonly string[]): string | undefined {
  const current = (node.annotations[MARK.reportedAnnotation] ?? '').split(',').filter((s) => s.length > 0);
  const added = triggers.filter((t) => !current.includes(t));
  return added.length > 0 ? [...current, ...added].join(',') : undefined;
}

/** Adds webhook triggers to the reported annotation, or undefined when they are all there already. */
export function reportedPatch(node: KubeNode, triggers: readonly string[]): NodeMergePatch | undefined {
  const value = reportedValue(node, triggers);
  if (value === undefined) return undefined;
  return {
    metadata: { resourceVersion: node.resourceVersion, annotations: { [MARK.reportedAnnotation]: value } },
  };
}

/** Adds the out-of-service taint (after a drain), or undefined when present. */
export function outOfServicePatch(node: KubeNode): NodeMergePatch | undefined {
  const taints = addTaint(node.taints, OUT_OF_SERVICE_TAINT);
  if (!taints) return undefined;
  return {
    metadata: { resourceVersion: node.resourceVersion, annotations: { [OUT_OF_SERVICE_ANNOTATION]: 'true' } },
    spec: { taints },
  };
}

/** Removes exactly what we added; undefined when nothing of ours is on the node. */
export function unmarkPatch(node: KubeNode): NodeMergePatch | undefined {
  const ours = node.annotations;
  const dropOos = ours[OUT_OF_SERVICE_ANNOTATION] === 'true';
  const taints = node.taints.filter(
    (t) =>
      !isOurTaint(t) &&
      !(dropOos && t.key === OUT_OF_SERVICE_TAINT.key && t.effect === OUT_OF_SERVICE_TAINT.effect),
  );
  const labels: Record<string, null> = {};
  for (const key of [MARK.stateLabel, MARK.kindLabel]) if (key in node.labels) labels[key] = null;
  if (ours[MARK.lbExcludedAnnotation] === 'true' && LB_EXCLUDE_LABEL in node.labels)
    labels[LB_EXCLUDE_LABEL] = null;
  const annotations: Record<string, null> = {};
  for (const key of OUR_ANNOTATIONS) if (key in ours) annotations[key] = null;
  const uncordon = ours[MARK.cordonedAnnotation] === 'true' && node.unschedulable;
  const taintsChanged = taints.length !== node.taints.length;
  if (
    !taintsChanged &&
    !uncordon &&
    Object.keys(labels).length === 0 &&
    Object.keys(annotations).length === 0
  ) {
    return undefined;
  }
  const spec = { ...(taintsChanged ? { taints } : {}), ...(uncordon ? { unschedulable: null } : {}) };
  return {
    metadata: { resourceVersion: node.resourceVersion, labels, annotations },
    ...(Object.keys(spec).length > 0 ? { spec } : {}),
  };
}

const REASONS: Record<NodePhase, string> = {
  noticed: 'InterruptionNoticed',
  cordoned: 'Cordoned',
  draining: 'Draining',
  drained: 'Drained',
  'drain-failed': 'DrainFailed',
};

/**
 * The one status write of a phase: our condition (others kept), the state label and the webhook triggers
 * already sent (a node's status write also carries its labels and annotations on a real API server).
 * Phase undefined removes the condition. Undefined when nothing changes.
 */
export function phaseStatusPatch(
  node: KubeNode,
  phase: NodePhase | undefined,
  message: string,
  nowMs: number,
  reported: readonly string[] = [],
): NodeStatusPatch | undefined {
  const conditions = conditionsFor(node, phase, message, nowMs);
  const labels =
    phase !== undefined && node.labels[MARK.stateLabel] !== phase ? { [MARK.stateLabel]: phase } : undefined;
  const value = reportedValue(node, reported);
  const annotations = value !== undefined ? { [MARK.reportedAnnotation]: value } : undefined;
  if (!conditions && !labels && !annotations) return undefined;
  return {
    metadata: {
      resourceVersion: node.resourceVersion,
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
    },
    ...(conditions ? { status: { conditions } } : {}),
  };
}

/** The node's conditions with ours set for `phase` (removed when undefined), or undefined when unchanged. */
function conditionsFor(
  node: KubeNode,
  phase: NodePhase | undefined,
  message: string,
  nowMs: number,
): NodeCondition[] | undefined {
  const others = node.conditions.filter((c) => c.type !== MARK.conditionType);
  const previous = node.conditions.find((c) => c.type === MARK.conditionType);
  if (phase === undefined) return previous ? others : undefined;
  const now = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const condition: NodeCondition = {
    type: MARK.conditionType,
    status: 'True',
    reason: REASONS[phase],
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: previous?.status === 'True' ? (previous.lastTransitionTime ?? now) : now,
  };
  if (previous && previous.reason === condition.reason && previous.message === message) return undefined;
  return [...others, condition];
}
