/**
 * `spot-handler drain NODE`: cordons the node (as kubectl drain does) and drains it with our engine
 * (src/actions/drain), not urgent: PDBs are respected to the end, nothing is force-deleted. Prints
 * progress and, when the drain does not finish, the pods and PDBs that blocked it. Exit codes as
 * kubectl's: 0 drained, 1 anything else (usage errors included).
 */
import pino from 'pino';
import { Registry } from '../report/prom-client-lean.js';
import { DEFAULT_ACTUATOR_OPTIONS, type ActuatorOptions } from '../actions/actuator-options.js';
import { Drainer } from '../actions/drain/drainer.js';
import { decidePod, refusalMessage, type RefusedPod } from '../actions/drain/pod-filters.js';
import type { NodeApi, PodApi } from '../actions/kube-ports.js';
import { updateNode } from '../actions/node-writer.js';
import type { Clock } from '../clock.js';
import { NotFoundError } from '../errors.js';
import type { DrainResult } from '../pipeline/node-actuator-port.js';
import { createMetrics } from '../report/metrics.js';
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
  /** Builds the Kubernetes ports (tests pass their own). */
  readonly connect: (flags: DrainFlags) => Promise<DrainCommandKube>;
}

/** Builds the real adapters (src/kube/drain-command-kube.ts) from the flags. */
export async function connectKube(flags: DrainFlags): Promise<DrainCommandKube> {
  const { connectDrainKube } = await import('../kube/drain-command-kube.js');
  return connectDrainKube({
    ...(flags.kubeconfigPath !== undefined && { kubeconfigPath: flags.kubeconfigPath }),
    ...(flags.podSelector !== undefined && { podSelector: flags.podSelector }),
  });
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

async function drain(
  kube: DrainCommandKube,
  flags: DrainFlags,
  io: DrainCommandIo,
  print: PrintLine,
): Promise<number> {
  const startedAt = io.clock.now();
  const options = drainOptions(flags, startedAt);
  if (flags.dryRun) return dryRun(kube, flags, options, io, print);
  await cordon(kube.nodes, flags.node, print);
  const logger = pino({ level: flags.logLevel, base: { component: 'drain' } }, pino.destination(2));
  const metrics = createMetrics(
    new Registry(),
    { version: VERSION, mode: 'drain' },
    { defaultMetrics: false },
  );
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
  let kube: DrainCommandKube | undefined;
  try {
    kube = await io.connect(flags);
    return await drain(kube, flags, io, print);
  } catch (err) {
    io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    kube?.close();
  }
}
