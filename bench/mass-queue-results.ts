/**
 * The message and action counts of a mass-interruption benchmark (mass-queue, mass-queue-real), defined
 * so that they cannot mistake unfinished work for loss:
 * - `undeleted_messages`: still in the queue at the end; their node's work is not done (or its delete
 *   is still on its way): the daemon must keep them;
 * - `lost_messages`: deleted although their node was not drained: interrupted nodes still holding an
 *   original pod beyond the messages still in the queue (one message per node, so any excess was
 *   deleted too early);
 * - `duplicate_actions`: nodes drained to the end more than once ("node drained" logged twice);
 * - `drain_restarts`: "drain started" lines beyond one per node (a run retried after a transient API
 *   error, or a failed action tried again after redelivery): the same work resumed, not duplicated.
 */
import type { Daemon } from '../test/helpers/daemon.js';

/** Counts per node of a log msg. */
function perNode(daemon: Daemon, msg: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of daemon.logsWith(msg)) {
    const node = String(l['node']);
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  return counts;
}

/** What the benchmark reports about messages and actions. */
export interface MassCounts {
  readonly undeleted_messages: number;
  readonly lost_messages: number;
  readonly duplicate_actions: number;
  readonly drain_restarts: number;
  readonly nodes_not_drained: number;
}

/** The counts, from the daemon's logs, the queue and which interrupted nodes were drained. */
export function massCounts(
  daemon: Daemon,
  queue: { readonly visible: number; readonly inFlight: number; readonly delayed: number },
  interrupted: number,
  drainedNodes: number,
): MassCounts {
  const undeleted = queue.visible + queue.inFlight + queue.delayed;
  const notDrained = interrupted - drainedNodes;
  const excess = (counts: Map<string, number>): number =>
    [...counts.values()].reduce((s, n) => s + Math.max(0, n - 1), 0);
  return {
    undeleted_messages: undeleted,
    lost_messages: Math.max(0, notDrained - undeleted),
    duplicate_actions: excess(perNode(daemon, 'node drained')),
    drain_restarts: excess(perNode(daemon, 'drain started')),
    nodes_not_drained: notDrained,
  };
}

/**
 * A daemon metric, asked again when /metrics does not answer in time: a leader starting on a loaded
 * machine (indexing hundreds of nodes) once missed the helper's 2 s and ended a 5-minute setup.
 */
export async function metricPatiently(daemon: Daemon, name: string, attempts = 10): Promise<number> {
  for (let i = 1; ; i++) {
    try {
      return await daemon.metric(name);
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Lets the deletes land: waits (up to 15 s) until the daemon has deleted `count` messages. */
export async function waitDeletes(daemon: Daemon, count: number): Promise<void> {
  const end = Date.now() + 15_000;
  while (
    Date.now() < end &&
    (await metricPatiently(daemon, 'spot_handler_sqs_messages_deleted_total')) < count
  )
    await new Promise((r) => setTimeout(r, 250));
}

/** Seconds from t0 of the first and last daemon log line with this msg (daemon log `time`, epoch ms). */
export function span(daemon: Daemon, msg: string, t0: number): [number | null, number | null] {
  const times = daemon.logsWith(msg).map((l) => Date.parse(String(l.time)));
  if (times.length === 0) return [null, null];
  const s = (t: number) => Math.round((t - t0) / 10) / 100;
  return [s(Math.min(...times)), s(Math.max(...times))];
}
