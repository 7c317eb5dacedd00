/** A stateful fake of the NodeActuator port: nodes in memory, drains that take clock time. */
import type { Clock } from '../../src/clock.js';
import type { DrainTerms } from '../../src/pipeline/drain-terms.js';
import type {
  DrainRequest,
  DrainResult,
  NodeActuator,
  NodeMarking,
  NodePhase,
  NodeState,
} from '../../src/pipeline/node-actuator-port.js';

interface FakeNode {
  name: string;
  providerId: string;
  unschedulable: boolean;
  cordonedByUs: boolean;
  labels: Record<string, string>;
  taints: string[];
  phase?: NodePhase;
  eventId?: string;
  kind?: NodeMarking['kind'];
  deadlineMs?: number;
  reported: string[];
}

/** Records every call; drains take `drainMs` of clock time and return `nextDrainResult`. */
export class FakeNodeActuator implements NodeActuator {
  readonly nodes = new Map<string, FakeNode>();
  readonly calls: { method: string; node: string; detail?: unknown }[] = [];
  drainMs = 1000;
  nextDrainResult: DrainResult['result'] = 'succeeded';
  failNext: { method: string; error: Error } | undefined;
  /** The live terms of every drain started, in order. */
  readonly drainTerms: (DrainTerms | undefined)[] = [];

  constructor(private readonly clock: Clock) {}

  addNode(name: string, instanceId: string, labels: Record<string, string> = {}): void {
    this.nodes.set(name, {
      name,
      providerId: `aws:///us-east-1a/${instanceId}`,
      unschedulable: false,
      cordonedByUs: false,
      labels,
      taints: [],
      reported: [],
    });
  }

  count(method: string, node?: string): number {
    return this.calls.filter((c) => c.method === method && (node === undefined || c.node === node)).length;
  }

  async getNode(nodeName: string): Promise<NodeState | undefined> {
    this.record('getNode', nodeName);
    const n = this.nodes.get(nodeName);
    if (!n) return undefined;
    return {
      name: n.name,
      providerId: n.providerId,
      unschedulable: n.unschedulable,
      ready: true,
      labels: { ...n.labels },
      phase: n.phase,
      eventId: n.eventId,
      kind: n.kind,
      deadlineMs: n.deadlineMs,
      reported: [...n.reported],
      taintKeys: [...n.taints],
    };
  }

  async cordon(nodeName: string, marking?: NodeMarking, phase: NodePhase = 'cordoned'): Promise<void> {
    const n = this.must('cordon', nodeName, marking);
    if (marking) {
      if (n.eventId !== marking.eventId) n.reported = [];
      n.eventId = marking.eventId;
      n.kind = marking.kind;
      n.deadlineMs = marking.deadlineMs;
      n.phase = phase;
      const taint = `spot-handler/${marking.kind}`;
      n.taints = [...n.taints.filter((t) => !t.startsWith('spot-handler/')), taint];
    }
    if (!n.unschedulable) {
      n.unschedulable = true;
      n.cordonedByUs = true;
    }
  }

  async remark(nodeName: string, marking: NodeMarking): Promise<void> {
    const n = this.must('remark', nodeName, marking);
    n.eventId = marking.eventId;
    n.kind = marking.kind;
    n.deadlineMs = marking.deadlineMs;
    n.taints = [...n.taints.filter((t) => !t.startsWith('spot-handler/')), `spot-handler/${marking.kind}`];
  }

  async setPhase(
    nodeName: string,
    phase: NodePhase,
    _message: string,
    reported: readonly string[] = [],
  ): Promise<void> {
    const n = this.must('setPhase', nodeName, phase);
    n.phase = phase;
    for (const t of reported) if (!n.reported.includes(t)) n.reported.push(t);
  }

  async recordReported(nodeName: string, triggers: readonly string[]): Promise<void> {
    const n = this.must('recordReported', nodeName, triggers);
    for (const t of triggers) if (!n.reported.includes(t)) n.reported.push(t);
  }

  async drain(request: DrainRequest): Promise<DrainResult> {
    this.must('drain', request.nodeName, {
      deadlineMs: request.deadlineMs,
      urgent: request.urgent,
      kind: request.kind,
    });
    this.drainTerms.push(request.terms);
    const started = this.clock.now();
    await this.clock.sleep(this.drainMs, request.signal);
    return {
      result: this.nextDrainResult,
      podsEvicted: 3,
      podsForceDeleted: 0,
      podsRemaining: this.nextDrainResult === 'succeeded' ? 0 : 1,
      blockedBy: [],
      durationMs: this.clock.now() - started,
    };
  }

  async unmark(nodeName: string): Promise<void> {
    const n = this.must('unmark', nodeName);
    if (n.cordonedByUs) n.unschedulable = false;
    n.cordonedByUs = false;
    n.taints = n.taints.filter((t) => !t.startsWith('spot-handler/'));
    n.phase = undefined;
    n.eventId = undefined;
    n.kind = undefined;
    n.reported = [];
  }

  private must(method: string, nodeName: string, detail?: unknown): FakeNode {
    this.record(method, nodeName, detail);
    if (this.failNext?.method === method) {
      const { error } = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    const n = this.nodes.get(nodeName);
    if (!n) throw new Error(`no node ${nodeName}`);
    return n;
  }

  private record(method: string, node: string, detail?: unknown): void {
    this.calls.push({ method, node, detail });
  }
}
