/**
 * The rollout decisions of the Deployment controller (deployment-controller.ts), like
 * kube-controller-manager's pkg/controller/deployment: RollingUpdate scales the new ReplicaSet up within
 * replicas + maxSurge and old ones down while replicas − maxUnavailable stay available; Recreate scales
 * old ones to 0 and starts the new one once their pods are gone. Pure: the controller applies the steps.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './object-ops.js';
import type { KubeObject } from './types.js';
import { cloneJson, isRecord } from './types.js';

/** Label naming the pod template a ReplicaSet runs. */
export const HASH_LABEL = 'pod-template-hash';

/** A ReplicaSet of the Deployment with its pod counts. */
export interface RsView {
  readonly rs: KubeObject;
  readonly replicas: number;
  readonly active: number;
  readonly available: number;
}

/** One change the controller makes. */
export type RolloutStep =
  | { readonly type: 'create'; readonly replicas: number }
  | { readonly type: 'scale'; readonly rs: KubeObject; readonly replicas: number };

/** A number, or the fallback. */
export function num(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** int-or-percent like intstr.GetScaledValueFromIntOrPercent. */
function scaled(value: unknown, total: number, roundUp: boolean, fallback: string): number {
  if (typeof value === 'number') return value;
  const v = typeof value === 'string' ? value : fallback;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** The template hash (the real one is fnv32a of the template; any stable short hash will do). */
export function templateHash(template: unknown): string {
  return createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 10);
}

/** RollingUpdate: the steps of one sync. */
export function rollingUpdateSteps(
  all: readonly RsView[],
  current: RsView | undefined,
  replicas: number,
  strategy: Record<string, unknown>,
): RolloutStep[] {
  const rolling = isRecord(strategy['rollingUpdate']) ? strategy['rollingUpdate'] : {};
  const maxSurge = scaled(rolling['maxSurge'], replicas, true, '25%');
  let maxUnavailable = scaled(rolling['maxUnavailable'], replicas, false, '25%');
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  const old = all.filter((v) => v !== current);
  const total = all.reduce((n, v) => n + v.replicas, 0);
  // scale up the new ReplicaSet within replicas + maxSurge (NewRSNewReplicas)
  const have = current?.replicas ?? 0;
  const room = Math.max(0, replicas + maxSurge - total);
  const wanted = Math.min(replicas, have + room);
  if (!current) return [{ type: 'create', replicas: old.length === 0 ? replicas : wanted }];
  if (wanted > have) return [{ type: 'scale', rs: current.rs, replicas: wanted }];
  // scale old ones down, keeping replicas − maxUnavailable available (reconcileOldReplicaSets)
  const minAvailable = replicas - maxUnavailable;
  const newUnavailable = Math.max(0, current.replicas - current.available);
  let budget = total - minAvailable - newUnavailable;
  if (budget <= 0) return [];
  const target = new Map(old.map((v) => [v, v.replicas]));
  // unhealthy old pods first, then available ones while more than minAvailable stay available
  for (const v of old) {
    const unhealthy = Math.min(budget, Math.max(0, v.replicas - v.available));
    if (unhealthy > 0) {
      target.set(v, v.replicas - unhealthy);
      budget -= unhealthy;
    }
  }
  const available = all.reduce((n, v) => n + v.available, 0);
  let scaleDown = Math.min(budget, available - minAvailable);
  for (const v of [...old].sort((a, b) => created(a.rs) - created(b.rs))) {
    if (scaleDown <= 0) break;
    const now = target.get(v) ?? 0;
    const by = Math.min(now, scaleDown);
    if (by > 0) target.set(v, now - by);
    scaleDown -= by;
  }
  return old
    .filter((v) => target.get(v) !== v.replicas)
    .map((v) => ({ type: 'scale', rs: v.rs, replicas: target.get(v) ?? 0 }));
}

/** Recreate: old ReplicaSets to 0; the new one once none of their pods is left. */
export function recreateSteps(
  all: readonly RsView[],
  current: RsView | undefined,
  replicas: number,
): RolloutStep[] {
  const old = all.filter((v) => v !== current);
  const steps: RolloutStep[] = old
    .filter((v) => v.replicas > 0)
    .map((v) => ({ type: 'scale', rs: v.rs, replicas: 0 }));
  if (old.some((v) => v.active > 0)) return steps;
  if (!current) steps.push({ type: 'create', replicas });
  else if (current.replicas !== replicas) steps.push({ type: 'scale', rs: current.rs, replicas });
  return steps;
}

/** The pod template without the pod-template-hash label (EqualIgnoreHash). */
function withoutHash(template: unknown): string {
  const t = cloneJson(isRecord(template) ? template : {});
  const meta = isRecord(t['metadata']) ? t['metadata'] : undefined;
  if (meta && isRecord(meta['labels'])) {
    const labels = { ...meta['labels'] };
    delete labels[HASH_LABEL];
    meta['labels'] = labels;
  }
  return canonicalJson(t);
}

/** The ReplicaSet whose template equals the Deployment's (ignoring the hash label); the oldest if several. */
export function newest(all: readonly RsView[], template: unknown): RsView | undefined {
  const want = withoutHash(template);
  return all
    .filter((v) => withoutHash(v.rs.spec?.['template']) === want)
    .sort((a, b) => created(a.rs) - created(b.rs))[0];
}

function created(rs: KubeObject): number {
  return Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
}
