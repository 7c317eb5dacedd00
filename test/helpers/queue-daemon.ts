/**
 * Queue-mode daemons for scenarios: starts the real daemon (test/helpers/daemon.ts) against a queue
 * world and waits until it leads; small readers for the counters the stories assert on.
 */
import { startDaemon, type Daemon } from './daemon.js';
import type { QueueWorld } from './queue-world.js';

/** Starts a queue-mode daemon and waits for /readyz (and for leadership unless `standby`). */
export async function startQueueDaemon(
  world: QueueWorld,
  env: Readonly<Record<string, string>> = {},
  options: { readonly waitLeader?: boolean } = {},
): Promise<Daemon> {
  const daemon = await startDaemon({ mode: 'queue', env: world.daemonEnv(env) });
  if (options.waitLeader ?? true) await daemon.waitForLog((l) => l.msg === 'became leader', 10_000);
  return daemon;
}

/** Polls a metric until `ok` holds (or the time is up); returns its last value. */
export async function waitMetric(
  daemon: Daemon,
  name: string,
  labels: Readonly<Record<string, string>>,
  ok: (v: number) => boolean,
  timeoutMs = 10_000,
): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await daemon.metric(name, labels);
    if (ok(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Messages deleted so far (optionally of one reason: done, invalid, ignored, foreign). */
export function deleted(daemon: Daemon, reason?: string): Promise<number> {
  return daemon.metric('spot_handler_sqs_messages_deleted_total', reason ? { reason } : {});
}

/** Waits (up to timeoutMs) until at least `atLeast` messages were deleted (of one reason, or any); returns the count. */
export function waitDeleted(
  daemon: Daemon,
  reason: string | undefined,
  atLeast: number,
  timeoutMs?: number,
): Promise<number> {
  const labels: Record<string, string> = reason ? { reason } : {};
  return waitMetric(
    daemon,
    'spot_handler_sqs_messages_deleted_total',
    labels,
    (v) => v >= atLeast,
    timeoutMs,
  );
}

/** Log lines with this msg. */
export function count(daemon: Daemon, msg: string): number {
  return daemon.logsWith(msg).length;
}

/** Taint keys on a node object. */
export function taintKeys(node: { spec?: Record<string, unknown> } | undefined): string[] {
  return ((node?.spec?.['taints'] ?? []) as { key: string }[]).map((t) => t.key);
}

/** A webhook template whose body the scenarios can read back. */
export const TEST_WEBHOOK_TEMPLATE = '{"trigger":"{{ trigger }}","node":"{{ node }}","kind":"{{ kind }}"}';

/** The triggers of the webhooks a receiver got, in order (optionally for one node). */
export function triggers(received: readonly { readonly json: unknown }[], node?: string): string[] {
  return received
    .map((r) => r.json as { trigger?: string; node?: string } | undefined)
    .filter((j) => j !== undefined && (node === undefined || j.node === node))
    .map((j) => j?.trigger ?? '');
}

/** Waits for `node drained` on a node and asserts the marks a drained node carries. */
export async function waitDrained(daemon: Daemon, node: string, timeoutMs = 15_000): Promise<void> {
  await daemon.waitForLog((l) => l.msg === 'node drained' && l['node'] === node, timeoutMs);
}
