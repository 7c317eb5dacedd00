/**
 * The NodeActuator the executor drives (src/pipeline/node-actuator-port.ts): markers and cordon through
 * conditional merge patches (node-writer.ts), drains through the Drainer. Every method is idempotent.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Metrics } from '../report/metrics.js';
import type {
  DrainRequest,
  DrainResult,
  NodeActuator,
  NodeMarking,
  NodePhase,
  NodeState,
} from '../pipeline/node-actuator-port.js';
import type { ActuatorOptions } from './actuator-options.js';
import type { NodeMergePatch } from './kube-types.js';
import {
  conditionPatch,
  cordonPatch,
  markPatch,
  nodeStateOf,
  outOfServicePatch,
  phasePatch,
  reportedPatch,
  unmarkPatch,
} from './node-marks.js';
import { updateNode, updateNodeStatus, type PatchFn } from './node-writer.js';
import type { NodeApi, PodApi } from './kube-ports.js';
import { Drainer } from './drain/drainer.js';

/** What the actuator is built from. */
export interface KubeNodeActuatorDeps {
  readonly nodes: NodeApi;
  readonly pods: PodApi;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly options: ActuatorOptions;
  readonly random?: () => number;
}

/** NodeActuator on the Kubernetes API. */
export class KubeNodeActuator implements NodeActuator {
  private readonly drainer: Drainer;

  constructor(private readonly deps: KubeNodeActuatorDeps) {
    this.drainer = new Drainer({ ...deps, logger: deps.logger });
  }

  /** Reads the node and our markers on it. */
  async getNode(nodeName: string): Promise<NodeState | undefined> {
    const node = await this.deps.nodes.getNode(nodeName);
    return node ? nodeStateOf(node) : undefined;
  }

  /**
   * Adds the kind taint, labels, annotations and LB label in one patch. The condition is written by the
   * next setPhase, so that nothing stands between the notice and the cordon.
   */
  async mark(nodeName: string, marking: NodeMarking): Promise<void> {
    await this.write(nodeName, 'mark', (node) => markPatch(node, marking, this.deps.options));
  }

  /** Cordons (merge patch of spec.unschedulable) and records that we did. */
  async cordon(nodeName: string): Promise<void> {
    await this.write(nodeName, 'cordon', cordonPatch);
  }

  /** Updates the state label and the condition. */
  async setPhase(nodeName: string, phase: NodePhase, message: string): Promise<void> {
    await this.write(nodeName, `phase ${phase}`, () => phasePatch(phase));
    await this.writeCondition(nodeName, phase, message);
  }

  /** Records a webhook trigger as sent. */
  async recordReported(nodeName: string, trigger: string): Promise<void> {
    await this.write(nodeName, `reported ${trigger}`, (node) => reportedPatch(node, trigger));
  }

  /** Drains the node; on success optionally adds the out-of-service taint. */
  async drain(request: DrainRequest): Promise<DrainResult> {
    const result = await this.drainer.drain(request);
    const done = result.result === 'succeeded' || result.result === 'forced';
    if (done && this.deps.options.outOfServiceTaint) {
      await this.write(request.nodeName, 'out-of-service taint', outOfServicePatch);
    }
    return result;
  }

  /** Removes what we added and uncordons only if we cordoned. */
  async unmark(nodeName: string): Promise<void> {
    await this.write(nodeName, 'unmark', unmarkPatch);
    await this.writeCondition(nodeName, undefined, '');
  }

  private async write(nodeName: string, what: string, compute: PatchFn<NodeMergePatch>): Promise<void> {
    if (this.deps.options.dryRun) {
      const node = await this.deps.nodes.getNode(nodeName);
      const patch = node ? compute(node) : undefined;
      this.deps.logger.info({ node: nodeName, patch, dryRun: true }, `dry run: would ${what}`);
      return;
    }
    await updateNode(this.deps.nodes, nodeName, compute);
    this.deps.logger.debug({ node: nodeName }, what);
  }

  private async writeCondition(
    nodeName: string,
    phase: NodePhase | undefined,
    message: string,
  ): Promise<void> {
    const compute = (node: Parameters<typeof conditionPatch>[0]) =>
      conditionPatch(node, phase, message, this.deps.clock.now());
    if (this.deps.options.dryRun) {
      this.deps.logger.info({ node: nodeName, phase, dryRun: true }, 'dry run: would set condition');
      return;
    }
    await updateNodeStatus(this.deps.nodes, nodeName, compute);
  }
}
