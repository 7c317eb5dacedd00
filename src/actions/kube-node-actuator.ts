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
  cordonPatch,
  markAndCordonPatch,
  nodeStateOf,
  outOfServicePatch,
  phaseStatusPatch,
  remarkPatch,
  reportedPatch,
  unmarkPatch,
} from './node-marks.js';
import { updateNode, updateNodeStatus, type PatchFn } from './node-writer.js';
import type { NodeApi, PodApi } from './kube-ports.js';
import type { SurgeApi } from './drain/surge-port.js';
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
  /** Deployment access for surge-before-evict (optional: without it no pod surges). */
  readonly surgeApi?: SurgeApi;
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
   * Taint, labels, annotations, LB label and cordon in one conditional patch; nothing when the node has
   * them all (a resumed action). The condition follows in setPhase, so nothing stands before the cordon.
   */
  async cordon(nodeName: string, marking?: NodeMarking, phase: NodePhase = 'cordoned'): Promise<void> {
    if (!marking) {
      await this.write(nodeName, 'cordon', cordonPatch);
      return;
    }
    await this.write(nodeName, 'cordon', (node) =>
      markAndCordonPatch(node, marking, phase, this.deps.options),
    );
  }

  /** Moves the node's marks to a stronger event merged into its action (one write, none when there). */
  async remark(nodeName: string, marking: NodeMarking): Promise<void> {
    await this.write(nodeName, `re-mark for ${marking.kind}`, (node) =>
      remarkPatch(node, marking, this.deps.options),
    );
  }

  /** Condition, state label and sent webhook triggers in one status write. */
  async setPhase(
    nodeName: string,
    phase: NodePhase,
    message: string,
    reported: readonly string[] = [],
  ): Promise<void> {
    await this.writeStatus(nodeName, phase, message, reported);
  }

  /** Records webhook triggers as sent. */
  async recordReported(nodeName: string, triggers: readonly string[]): Promise<void> {
    await this.write(nodeName, `record webhooks ${triggers.join(',')}`, (node) =>
      reportedPatch(node, triggers),
    );
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
    await this.writeStatus(nodeName, undefined, '', []);
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

  private async writeStatus(
    nodeName: string,
    phase: NodePhase | undefined,
    message: string,
    reported: readonly string[],
  ): Promise<void> {
    const compute = (node: Parameters<typeof phaseStatusPatch>[0]) =>
      phaseStatusPatch(node, phase, message, this.deps.clock.now(), reported);
    if (this.deps.options.dryRun) {
      this.deps.logger.info({ node: nodeName, phase, dryRun: true }, 'dry run: would set condition');
      return;
    }
    await updateNodeStatus(this.deps.nodes, nodeName, compute);
  }
}
