/**
 * Surge-before-evict for the pods of one drain (docs/surge-before-evict.md): a pod of an opted-in
 * Deployment whose eviction would leave no available replica, or whose eviction its PDB refuses, waits
 * for a replacement Ready on another node (a rollout restart) before the normal eviction; if the
 * replacement is late, the normal path starts in time to give the pod its grace before the deadline.
 */
import { EvictionBlockedError } from '../../errors.js';
import type { SurgeReport } from '../../pipeline/node-actuator-port.js';
import type { KubePod } from '../kube-types.js';
import { attempt, evictPod, type EvictContext, type EvictOutcome } from './evict-pod.js';
import { requestedGraceSeconds } from './grace.js';
import type { SurgeCoordinator } from './surge-coordinator.js';
import {
  SURGE_ANNOTATION,
  fallBackAtMs,
  lastAvailableReplica,
  planSurge,
  podOptedOut,
  surgeOptedIn,
} from './surge-decision.js';
import type { KubeDeployment } from './surge-port.js';

/** The surge counter (spot_handler_surge_total). */
export interface SurgeCounter {
  inc(labels: { result: SurgeReport['result'] }): void;
}

/** What the pod's ReplicaSet leads to. */
type Owner =
  | { readonly kind: 'deployment'; readonly deployment: KubeDeployment }
  | { readonly kind: 'other'; readonly ownerKind: string; readonly name: string }
  | { readonly kind: 'error' };

/** Per-drain surge state: owner lookups cached per ReplicaSet, one report per workload. */
export class SurgeEvictor {
  private readonly owners = new Map<string, Promise<Owner>>();
  private readonly reported = new Map<string, SurgeReport>();

  constructor(
    private readonly coordinator: SurgeCoordinator,
    private readonly counter: SurgeCounter,
    private readonly drainingNode: string,
  ) {}

  /** What surge did in this drain, one entry per workload. */
  reports(): SurgeReport[] {
    return [...this.reported.values()];
  }

  /** Evicts the pod, surging its Deployment first when it opted in and needs it. Never throws. */
  async evict(pod: KubePod, ctx: EvictContext): Promise<EvictOutcome> {
    if (podOptedOut(pod)) return evictPod(pod, ctx);
    const { clusterWide } = this.coordinator.deps;
    const podOptIn = clusterWide || pod.annotations[SURGE_ANNOTATION]?.trim().toLowerCase() === 'true';
    const controller = pod.controller;
    if (controller?.kind !== 'ReplicaSet') {
      if (podOptIn)
        this.report({
          namespace: pod.namespace,
          name: controller?.name ?? pod.name,
          kind: controller?.kind ?? 'Pod',
          result: 'not_eligible',
          reason: 'not-deployment',
        });
      return evictPod(pod, ctx);
    }
    const owner = await this.ownerOf(pod.namespace, controller.name);
    if (owner.kind !== 'deployment') {
      if (podOptIn) {
        const name = owner.kind === 'other' ? owner.name : controller.name;
        const kind = owner.kind === 'other' ? owner.ownerKind : 'ReplicaSet';
        const reason = owner.kind === 'error' ? 'api-error' : 'not-deployment';
        this.report({ namespace: pod.namespace, name, kind, result: 'not_eligible', reason });
      }
      return evictPod(pod, ctx);
    }
    const d = owner.deployment;
    if (!surgeOptedIn(pod.annotations, d.annotations, clusterWide)) return evictPod(pod, ctx);
    return this.surgeThenEvict(pod, d, ctx);
  }

  private async surgeThenEvict(pod: KubePod, d: KubeDeployment, ctx: EvictContext): Promise<EvictOutcome> {
    const base = { namespace: d.namespace, name: d.name, kind: 'Deployment' } as const;
    const plan = planSurge(d);
    if (plan.kind === 'not-eligible') {
      this.report({ ...base, result: 'not_eligible', reason: plan.reason });
      return evictPod(pod, ctx);
    }
    const grace = requestedGraceSeconds(pod, ctx.options.podGracePeriodOverrideSeconds);
    const untilMs = fallBackAtMs({
      deadlineMs: ctx.deadlineMs,
      endAtMs: ctx.endAtMs,
      graceSeconds: grace,
      forceLeadMs: ctx.options.forceLeadMs,
    });
    if (ctx.clock.now() >= untilMs) {
      this.report({ ...base, result: 'not_eligible', reason: 'too-late' });
      return evictPod(pod, ctx);
    }
    try {
      if (!(await this.isLastReplica(d, ctx)) && (await this.evictedAtOnce(pod, ctx))) return 'evicted';
      const waited = await this.coordinator.surge({
        deployment: d,
        plan,
        drainingNode: this.drainingNode,
        untilMs,
        signal: ctx.signal,
      });
      this.report({
        ...base,
        result: waited.ready ? 'surged' : 'fell_back',
        ...(waited.joined ? { joined: true } : {}),
        replacementMs: waited.endedAtMs - waited.startedAtMs,
      });
    } catch (err) {
      ctx.logger.warn({ err, deployment: `${d.namespace}/${d.name}` }, 'surge failed; evicting normally');
      this.report({ ...base, result: 'not_eligible', reason: 'api-error' });
    }
    return evictPod(pod, ctx);
  }

  /** True when no other Ready replica runs on a schedulable node. */
  private async isLastReplica(d: KubeDeployment, ctx: EvictContext): Promise<boolean> {
    const api = this.coordinator.deps.api;
    const { pods } = await api.listSelectedPods(d.namespace, d.labelSelector ?? '', ctx.signal);
    const others = new Set(
      pods
        .filter((p) => p.ready && p.nodeName && p.nodeName !== this.drainingNode)
        .map((p) => p.nodeName ?? ''),
    );
    const schedulable = new Set<string>();
    await Promise.all(
      [...others].map(async (n) => {
        if (await api.nodeSchedulable(n).catch(() => false)) schedulable.add(n);
      }),
    );
    return lastAvailableReplica(pods, this.drainingNode, schedulable);
  }

  /** Other replicas are available: try one eviction; false when its PDB refused it (surge then). */
  private async evictedAtOnce(pod: KubePod, ctx: EvictContext): Promise<boolean> {
    try {
      const outcome = await attempt(pod, false, ctx);
      return outcome === 'evicted' || outcome === 'deleted';
    } catch (err) {
      if (err instanceof EvictionBlockedError) return false;
      throw err;
    }
  }

  private ownerOf(namespace: string, rsName: string): Promise<Owner> {
    const key = `${namespace}/${rsName}`;
    let owner = this.owners.get(key);
    if (!owner) {
      owner = this.lookUp(namespace, rsName);
      this.owners.set(key, owner);
    }
    return owner;
  }

  private async lookUp(namespace: string, rsName: string): Promise<Owner> {
    const api = this.coordinator.deps.api;
    try {
      const ref = await api.replicaSetOwner(namespace, rsName);
      if (ref?.kind !== 'Deployment')
        return { kind: 'other', ownerKind: ref?.kind ?? 'ReplicaSet', name: ref?.name ?? rsName };
      const deployment = await api.getDeployment(namespace, ref.name);
      if (!deployment) return { kind: 'other', ownerKind: 'ReplicaSet', name: rsName };
      return { kind: 'deployment', deployment };
    } catch {
      return { kind: 'error' };
    }
  }

  private report(r: SurgeReport): void {
    const key = `${r.kind}/${r.namespace}/${r.name}`;
    if (this.reported.has(key)) return;
    this.reported.set(key, r);
    this.counter.inc({ result: r.result });
  }
}
