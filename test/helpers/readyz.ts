/**
 * Reading a daemon's readiness in the permanent-error stories (issue #17): /readyz and its checks, the
 * `setup` check the permanent-error tracker owns, and the tracker's log lines.
 */
import type { Daemon } from './daemon.js';

/** /readyz as the daemon answers it (status 0 while it does not answer yet). */
export interface Readyz {
  readonly status: number;
  readonly checks: readonly { name: string; ready: boolean; detail: string }[];
}

/** One GET /readyz. */
export async function readyz(daemon: Daemon): Promise<Readyz> {
  const { status, body } = await daemon.get('/readyz').catch(() => ({ status: 0, body: '{}' }));
  const parsed = JSON.parse(body) as { checks?: Readyz['checks'] };
  return { status, checks: parsed.checks ?? [] };
}

/** Polls /readyz until `ok` holds or the time is up; returns the last answer. */
export async function waitReadyz(
  daemon: Daemon,
  ok: (r: Readyz) => boolean,
  timeoutMs: number,
): Promise<Readyz> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await readyz(daemon);
    if (ok(r) || Date.now() > end) return r;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every /readyz status seen while polling for `ms`. */
export async function readyzStatusesFor(daemon: Daemon, ms: number): Promise<number[]> {
  const end = Date.now() + ms;
  const statuses = new Set<number>();
  while (Date.now() < end) {
    statuses.add((await readyz(daemon)).status);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return [...statuses];
}

/** The detail of the `setup` check (the cause and the fix while not ready). */
export const setupDetail = (r: Readyz): string => r.checks.find((c) => c.name === 'setup')?.detail ?? '';

/** True while the `setup` check is not ready. */
export const setupFailing = (r: Readyz): boolean => r.checks.some((c) => c.name === 'setup' && !c.ready);

/** The tracker's "not ready until fixed" log lines so far (one per change of state). */
export const permanentLogs = (d: Daemon): number =>
  d.logs.filter((l) => l.component === 'setup' && /permanent error: not ready/.test(l.msg ?? '')).length;

/** The tracker's "works again" log lines so far. */
export const recoveredLogs = (d: Daemon): number =>
  d.logs.filter((l) => l.component === 'setup' && /works again/.test(l.msg ?? '')).length;
