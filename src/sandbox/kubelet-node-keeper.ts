/**
 * The node half of the kubelet simulator: makes the nodes it serves Ready (status with capacity and the
 * Ready condition, the not-ready taint removed) and heartbeats them as a kubelet does: a nodes/status
 * patch with a fresh Ready `lastHeartbeatTime` every `heartbeatMs`, so that a real node lifecycle
 * controller (which marks a node Unknown ~40 s after its last heartbeat) keeps them Ready.
 */
import * as k8s from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Limiter } from './kube-api/limiter.js';
import { nodeReadyStatus } from './kube-api/kubelet-status.js';

const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

/** Keeps the served nodes Ready. */
export class NodeKeeper {
  private readonly strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
  /** Node name → last handled resourceVersion (a re-sent event is not acted on twice). */
  private readonly handled = new Map<string, string>();
  /** Nodes this kubelet has seen (heartbeat targets). */
  private readonly known = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly core: k8s.CoreV1Api,
    private readonly limiter: Limiter,
    private readonly clock: Clock,
    private readonly serves: (nodeName: string | undefined) => boolean,
    private readonly logger: Logger | undefined,
  ) {}

  /** Starts the heartbeat (0: none). */
  startHeartbeat(heartbeatMs: number): void {
    if (heartbeatMs <= 0) return;
    this.timer = setInterval(() => this.heartbeat(), heartbeatMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** A node watch event. */
  onNode(type: string, node: k8s.V1Node): void {
    const name = node.metadata?.name ?? '';
    if (!this.serves(name)) return;
    if (type === 'DELETED') {
      this.known.delete(name);
      this.handled.delete(name);
      return;
    }
    this.known.add(name);
    const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const notReadyTaint = node.spec?.taints?.some((t) => t.key === NOT_READY_TAINT) ?? false;
    const rv = node.metadata?.resourceVersion ?? '';
    if ((ready && !notReadyTaint) || this.handled.get(name) === rv) return;
    this.handled.set(name, rv);
    void this.limiter
      .run(() => this.makeReady(node, ready, notReadyTaint))
      .catch((err: unknown) => {
        this.logger?.warn({ err, node: name }, 'kubelet could not mark node Ready');
      });
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  }

  private async makeReady(node: k8s.V1Node, ready: boolean, notReadyTaint: boolean): Promise<void> {
    const name = node.metadata?.name ?? '';
    if (!ready)
      await this.core.patchNodeStatus(
        { name, body: { status: nodeReadyStatus(this.now()) } },
        this.strategic,
      );
    if (notReadyTaint) {
      const taints = (node.spec?.taints ?? []).filter((t) => t.key !== NOT_READY_TAINT);
      const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
      await this.core.patchNode(
        { name, body: { spec: { taints: taints.length > 0 ? taints : null } } },
        merge,
      );
    }
  }

  /** Re-sends Ready=True with a fresh lastHeartbeatTime for every known node (other conditions kept). */
  private heartbeat(): void {
    const now = this.now();
    const ready = {
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'sandbox kubelet: KubeletReady',
      lastHeartbeatTime: now,
    };
    for (const name of this.known) {
      void this.limiter
        .run(() =>
          this.core.patchNodeStatus({ name, body: { status: { conditions: [ready] } } }, this.strategic),
        )
        .catch((err: unknown) => {
          if ((err as { code?: number }).code === 404) this.known.delete(name);
          else this.logger?.debug({ err, node: name }, 'kubelet heartbeat failed');
        });
    }
  }
}
