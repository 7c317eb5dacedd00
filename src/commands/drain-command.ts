/**
 * `spot-handler drain NODE`: cordons the node (as kubectl drain does) and drains it with our engine
 * (src/actions/drain), not urgent: PDBs are respected to the end, nothing is force-deleted. Prints
 * progress and, when the drain does not finish, the pods and PDBs that blocked it. Exit codes as
 * kubectl's: 0 drained, 1 anything else (usage errors included).
 */
import pino, { type Logger } from 'pino';
import { Registry } from '../report/prom-client-lean.js';
import { DEFAULT_ACTUATOR_OPTIONS, type ActuatorOptions } from '../actions/actuator-options.js';
import { Drainer } from '../actions/drain/drainer.js';
import { decidePod, refusalMessage, type RefusedPod } from '../actions/drain/pod-filters.js';
import type { NodeApi, PodApi } from '../actions/kube-ports.js';
import type { ApiRequestCounter } from '../kube/api-call.js';
import { updateNode } from '../actions/node-writer.js';
import type { Clock } from '../clock.js';
import { NotFoundError } from '../errors.js';
import type { DrainResult } from '../pipeline/node-actuator-port.js';
import { createMetrics, type Metrics } from '../report/metrics.js';
import { VERSION } from '../version.js';
import { DRAIN_USAGE, DrainUsageError, parseDrainFlags, type DrainFlags } from './drain-flags.js';
import { drainSummary, ProgressPodApi, type PrintLine } from './drain-progress.js';

/** Longest wait a timer can express (setTimeout overflows past 2^31-1 ms): "no timeout", "no deadline". */
export const UNBOUNDED_MS = 20 * 24 * 3600 * 1000;

/** The Kubernetes ports the command drives; `connect` builds them from the flags. */
export interface DrainCommandKube {
  readonly nodes: NodeApi;
  readonly pods: PodApi;
  close(): void;
}

/** Where the command writes, what it runs against. */
export interface DrainCommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly clock: Clock;
  /** Aborts the drain (Ctrl-C). */
  readonly signal: AbortSignal;
  /** Builds the Kubernetes ports (tests pass their own); they count their requests on `counter`. */
  readonly connect: (flags: DrainFlags, counter: ApiRequestCounter) => Promise<DrainCommandKube>;
}

/** Builds the real adapters (src/kube/drain-command-kube.ts) from the flags. */
export async function connectKube(flags: DrainFlags, counter: ApiRequestCounter): Promise<DrainCommandKube> {
  const { connectDrainKube } = await import('../kube/drain-command-kube.js');
  return connectDrainKube({
    ...(flags.kubeconfigPath !== undefined && { kubeconfigPath: flags.kubeconfigPath }),
    ...(flags.podSelector !== undefined && { podSelector: flags.podSelector }),
    counter,
  });
}

/** What one run cost: node writes, and when the cordon began and the drain ended (clock ms). */
interface DrainCost {
  nodeWrites: number;
  cordonAtMs?: number;
  drainedAtMs?: number;
}

/** Counts the node writes (PATCH node, PATCH node status) the command makes. */
function countingNodes(inner: NodeApi, count: DrainCost): NodeApi {
  return {
    getNode: (name) => inner.getNode(name),
    patchNode: (name, patch) => (count.nodeWrites++, inner.patchNode(name, patch)),
    patchNodeStatus: (name, patch) => (count.nodeWrites++, inner.patchNodeStatus(name, patch)),
  };
}

/** The engine options the flags stand for. */
export function drainOptions(flags: DrainFlags, nowMs: number): ActuatorOptions {
  const untilDeadline = flags.deadlineMs !== undefined ? Math.max(0, flags.deadlineMs - nowMs) : UNBOUNDED_MS;
  return {
    ...DEFAULT_ACTUATOR_OPTIONS,
    dryRun: flags.dryRun,
    ignoreDaemonSets: flags.ignoreDaemonSets,
    deleteEmptyDirData: flags.deleteEmptyDirData,
    evictUnmanagedPods: flags.force,
    podGracePeriodOverrideSeconds: flags.gracePeriodSeconds,
    drainTimeoutMs: Math.min(flags.timeoutMs ?? UNBOUNDED_MS, untilDeadline, UNBOUNDED_MS),
    forceAtDeadline: false,
  };
}

/** Cordons like `kubectl cordon` (spec.unschedulable only: an operator's cordon stays until uncordoned). */
async function cordon(nodes: NodeApi, node: string, print: PrintLine): Promise<void> {
  let changed = false;
  await updateNode(nodes, node, (current) => {
    if (current.unschedulable) return undefined;
    changed = true;
    return { metadata: { resourceVersion: current.resourceVersion }, spec: { unschedulable: true } };
  });
  print(changed ? `node/${node} cordoned` : `node/${node} already cordoned`);
}

/** Dry run: what the engine's pod filters decide for each pod (a refusal fails, as kubectl's); nothing changes. */
async function dryRun(
  kube: DrainCommandKube,
  flags: DrainFlags,
  options: ActuatorOptions,
  io: DrainCommandIo,
  print: PrintLine,
): Promise<number> {
  const node = await kube.nodes.getNode(flags.node);
  if (!node) throw new NotFoundError(`nodes "${flags.node}" not found`);
  print(`node/${flags.node} cordoned (dry run)`);
  const { pods } = await kube.pods.listPods(flags.node);
  const refused: RefusedPod[] = [];
  for (const pod of pods) {
    const decision = decidePod(pod, flags.node, options);
    if (decision.action === 'refuse') {
      refused.push({ namespace: pod.namespace, name: pod.name, reason: decision.reason });
      continue;
    }
    const verb = { skip: 'ignoring', delete: 'deleting', evict: 'evicting' }[decision.action];
    print(`${verb} pod ${pod.namespace}/${pod.name} (${decision.reason}) (dry run)`);
  }
  if (refused.length > 0) {
    io.stderr(`error: unable to drain node "${flags.node}" (dry run): ${refusalMessage(refused)}\n`);
    return 1;
  }
  print(`node/${flags.node} drained (dry run)`);
  return 0;
}

/** What one command run works with, besides the ports. */
interface DrainContext {
  readonly flags: DrainFlags;
  readonly io: DrainCommandIo;
  readonly print: PrintLine;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly cost: DrainCost;
}

async function drain(kube: DrainCommandKube, context: DrainContext): Promise<number> {
  const { flags, io, print, logger, metrics, cost } = context;
  const startedAt = io.clock.now();
  const options = drainOptions(flags, startedAt);
  if (flags.dryRun) return dryRun(kube, flags, options, io, print);
  cost.cordonAtMs = startedAt;
  await cordon(kube.nodes, flags.node, print);
  const drainer = new Drainer({
    pods: new ProgressPodApi(kube.pods, print),
    clock: io.clock,
    logger,
    metrics,
    options,
  });
  const result: DrainResult = await drainer.drain({
    nodeName: flags.node,
    kind: 'manual',
    eventId: `manual-${flags.node}-${startedAt}`,
    deadlineMs: flags.deadlineMs ?? startedAt + UNBOUNDED_MS,
    urgent: false,
    signal: io.signal,
  });
  cost.drainedAtMs = io.clock.now();
  const lines = drainSummary(flags.node, result);
  const ok = result.result === 'succeeded' && result.podsRemaining === 0;
  for (const line of lines) (ok ? io.stdout : io.stderr)(`${line}\n`);
  return ok ? 0 : 1;
}

/** Runs `spot-handler drain` (argv after "drain"); resolves with the exit code. */
export async function runDrainCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: DrainCommandIo,
): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(DRAIN_USAGE);
    return 0;
  }
  let flags: DrainFlags;
  try {
    flags = parseDrainFlags(argv, env, io.clock.now());
  } catch (err) {
    if (!(err instanceof DrainUsageError)) throw err;
    io.stderr(`error: ${err.message}\n\n${DRAIN_USAGE}`);
    return 1;
  }
  const print: PrintLine = (line) => io.stdout(`${line}\n`);
  // log lines go where the command's errors go (stderr), so tests and callers capture both alike
  const logger = pino({ level: flags.logLevel, base: { component: 'drain' } }, { write: io.stderr });
  const metrics = createMetrics(
    new Registry(),
    { version: VERSION, mode: 'drain' },
    { defaultMetrics: false },
  );
  const cost: DrainCost = { nodeWrites: 0 };
  let kube: DrainCommandKube | undefined;
  try {
    kube = await io.connect(flags, metrics);
    const counted = { nodes: countingNodes(kube.nodes, cost), pods: kube.pods, close: () => undefined };
    return await drain(counted, { flags, io, print, logger, metrics, cost });
  } catch (err) {
    io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    kube?.close();
    // what the drain cost (--log-level=info): benchmarks and curious operators read it
    const apiRequests = (await metrics.apiRequests.get()).values.reduce((sum, v) => sum + v.value, 0);
    const { nodeWrites, cordonAtMs, drainedAtMs } = cost;
    const cordonToDrainedMs =
      cordonAtMs !== undefined && drainedAtMs !== undefined ? drainedAtMs - cordonAtMs : undefined;
    logger.info({ node: flags.node, apiRequests, nodeWrites, cordonToDrainedMs }, 'drain cost');
  }
}
