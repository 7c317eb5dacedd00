/**
 * Runs surges per Deployment, shared by every drain of this process: the first pod of a Deployment
 * starts the rollout (or joins the one in progress), later pods of the same Deployment (same node or
 * another node drained meanwhile) wait on the same replacement instead of restarting it again.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { KubeDeployment, SurgeApi } from './surge-port.js';
import type { SurgePlan } from './surge-decision.js';
import { waitForReplacement } from './surge-wait.js';

/** How one surge ended for its Deployment. */
export interface SurgeWaitResult {
  readonly ready: boolean;
  /** True when a rollout was already running and we did not start one. */
  readonly joined: boolean;
  /** When the rollout was started (or joined), epoch ms. */
  readonly startedAtMs: number;
  /** When the replacement was seen Ready (ready) or the wait gave up. */
  readonly endedAtMs: number;
}

/** What the coordinator is built from. */
export interface SurgeCoordinatorDeps {
  readonly api: SurgeApi;
  readonly clock: Clock;
  readonly logger: Logger;
  /** SURGE_BEFORE_EVICT: every eligible Deployment unless it opts out. */
  readonly clusterWide: boolean;
}

/** One surge request. */
export interface SurgeRequest {
  readonly deployment: KubeDeployment;
  readonly plan: Extract<SurgePlan, { kind: 'restart' | 'join' }>;
  readonly drainingNode: string;
  readonly untilMs: number;
  readonly signal: AbortSignal;
}

/** RFC 3339 without fractions, as `kubectl rollout restart` writes it. */
export function restartStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Surges shared per Deployment. */
export class SurgeCoordinator {
  private readonly inFlight = new Map<string, Promise<SurgeWaitResult>>();

  constructor(readonly deps: SurgeCoordinatorDeps) {}

  /** Starts (or joins) the Deployment's surge and waits for a replacement, until `untilMs`. */
  async surge(req: SurgeRequest): Promise<SurgeWaitResult> {
    const d = req.deployment;
    const key = `${d.namespace}/${d.name}`;
    const running = this.inFlight.get(key);
    if (running) {
      const shared = await running;
      if (shared.ready || this.deps.clock.now() >= req.untilMs) return { ...shared, joined: true };
      // the shared wait gave up earlier than this pod must: keep waiting on the rollout it started
      return this.run({ ...req, plan: { kind: 'join' } });
    }
    const promise = this.run(req).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  private async run(req: SurgeRequest): Promise<SurgeWaitResult> {
    const { api, clock } = this.deps;
    const d = req.deployment;
    const labelSelector = d.labelSelector ?? '';
    const log = this.deps.logger.child({ deployment: `${d.namespace}/${d.name}`, node: req.drainingNode });
    const startedAtMs = clock.now();
    const joined = req.plan.kind === 'join';
    const current = await api.listSelectedPods(d.namespace, labelSelector, req.signal);
    // restart: every pod there now is old; join: a pod of the running rollout counts once it turns Ready
    const before = new Set(current.pods.filter((p) => !joined || p.ready).map((p) => p.uid));
    if (!joined) {
      await api.restartDeployment(d, restartStamp(startedAtMs));
      log.info({ untilMs: new Date(req.untilMs).toISOString() }, 'surge: rollout restarted');
    } else {
      log.info('surge: joining the rollout in progress');
    }
    const ready = await waitForReplacement(
      api,
      clock,
      { namespace: d.namespace, labelSelector, before, drainingNode: req.drainingNode, untilMs: req.untilMs },
      req.signal,
    );
    const endedAtMs = clock.now();
    if (ready) log.info({ replacementMs: endedAtMs - startedAtMs }, 'surge: replacement Ready');
    else
      log.warn({ waitedMs: endedAtMs - startedAtMs }, 'surge: replacement not Ready in time; falling back');
    return { ready, joined, startedAtMs, endedAtMs };
  }
}
