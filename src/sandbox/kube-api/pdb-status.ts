/** PodDisruptionBudget status math, as the disruption controller computes it (pure). */
import type { KubeObject } from './types.js';
import { controllerOf, hasTrueCondition, isRecord, kubeTime } from './types.js';
import { selectorObjectMatcher } from './selectors.js';

/** How long an evicted pod counts as disrupted before the controller stops expecting its deletion. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

/** Looks up the scale (spec.replicas) of a pod's controller, undefined when unknown. */
export type ScaleLookup = (namespace: string, kind: string, name: string) => number | undefined;

/** Computed status fields. */
export interface PdbStatus {
  observedGeneration: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions: Record<string, unknown>[];
}

/** Scaled value of an int-or-percent (percent rounds up, like GetScaledValueFromIntOrPercent). */
export function scaledValue(value: unknown, total: number): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const m = /^(\d+)%$/.exec(value);
    if (m) return Math.ceil((Number(m[1]) * total) / 100);
    if (/^\d+$/.test(value)) return Number(value);
  }
  return undefined;
}

/** Pods in the PDB's namespace that its selector matches. */
export function podsMatching(pdb: KubeObject, pods: Iterable<KubeObject>): KubeObject[] {
  const match = selectorObjectMatcher(pdb.spec?.['selector']);
  const out: KubeObject[] = [];
  for (const p of pods) if (match(p.metadata.labels ?? {})) out.push(p);
  return out;
}

function expectedScale(pods: KubeObject[], scaleOf: ScaleLookup): number | undefined {
  const seen = new Map<string, number>();
  for (const p of pods) {
    const ref = controllerOf(p);
    if (!ref) return undefined;
    if (seen.has(ref.uid)) continue;
    const scale = scaleOf(p.metadata.namespace ?? '', ref.kind, ref.name);
    if (scale === undefined) return undefined;
    seen.set(ref.uid, scale);
  }
  let sum = 0;
  for (const v of seen.values()) sum += v;
  return sum;
}

function counts(
  pdb: KubeObject,
  pods: KubeObject[],
  scaleOf: ScaleLookup,
): { expected: number; desired: number } | undefined {
  const spec = pdb.spec ?? {};
  const minAvailable = spec['minAvailable'];
  const maxUnavailable = spec['maxUnavailable'];
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const expected = expectedScale(pods, scaleOf);
    if (expected === undefined) return undefined;
    const max = scaledValue(maxUnavailable, expected) ?? 0;
    return { expected, desired: Math.max(0, expected - max) };
  }
  if (typeof minAvailable === 'number') return { expected: pods.length, desired: minAvailable };
  if (typeof minAvailable === 'string') {
    const expected = expectedScale(pods, scaleOf);
    if (expected === undefined) return undefined;
    return { expected, desired: scaledValue(minAvailable, expected) ?? 0 };
  }
  return { expected: pods.length, desired: 0 };
}

function disruptedStillExpected(pdb: KubeObject, pods: KubeObject[], nowMs: number): Record<string, string> {
  const old = isRecord(pdb.status?.['disruptedPods'])
    ? (pdb.status['disruptedPods'] as Record<string, string>)
    : {};
  const out: Record<string, string> = {};
  for (const p of pods) {
    const name = p.metadata.name ?? '';
    const at = old[name];
    if (at === undefined || p.metadata.deletionTimestamp !== undefined) continue;
    if (Date.parse(at) + DELETION_TIMEOUT_MS > nowMs) out[name] = at;
  }
  return out;
}

function condition(
  allowed: boolean,
  failed: boolean,
  nowMs: number,
  generation: number,
): Record<string, unknown> {
  const reason = failed ? 'SyncFailed' : allowed ? 'SufficientPods' : 'InsufficientPods';
  return {
    type: 'DisruptionAllowed',
    status: allowed ? 'True' : 'False',
    reason,
    message: '',
    observedGeneration: generation,
    lastTransitionTime: kubeTime(nowMs),
  };
}

/** The status the disruption controller would write for this PDB and these pods (its namespace's pods). */
export function computePdbStatus(
  pdb: KubeObject,
  nsPods: Iterable<KubeObject>,
  scaleOf: ScaleLookup,
  nowMs: number,
): PdbStatus {
  const pods = podsMatching(pdb, nsPods);
  const disrupted = disruptedStillExpected(pdb, pods, nowMs);
  let healthy = 0;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp !== undefined || disrupted[p.metadata.name ?? ''] !== undefined)
      continue;
    if (hasTrueCondition(p, 'Ready')) healthy++;
  }
  const c = counts(pdb, pods, scaleOf);
  const expected = c?.expected ?? 0;
  const desired = c?.desired ?? 0;
  const allowed = c && expected > 0 ? Math.max(0, healthy - desired) : 0;
  const oldCondition = (pdb.status?.['conditions'] as Record<string, unknown>[] | undefined)?.[0];
  let cond = condition(allowed > 0, c === undefined, nowMs, pdb.metadata.generation ?? 1);
  if (oldCondition && oldCondition['status'] === cond['status'] && oldCondition['reason'] === cond['reason'])
    cond = oldCondition;
  return {
    observedGeneration: pdb.metadata.generation ?? 1,
    ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed: allowed,
    currentHealthy: healthy,
    desiredHealthy: desired,
    expectedPods: expected,
    conditions: [cond],
  };
}
