/**
 * memory-queue: RSS of one queue-mode replica (the bundle dist/spot-handler.mjs from `npm run build`,
 * with the Dockerfile's V8 flags) leading, with its node index over 1,000 nodes in a 20,000-pod cluster.
 * Samples RSS every 50 ms while it idles (--idle-seconds, default 20) and while it drains 5 nodes.
 * Prints {"bench":"memory-queue","rss_mib":…,"peak_rss_mib":…,"hwm_mib":…,"nodes":1000,"pods":20000}.
 * Target: ≤ 256 MiB.
 */
import { readFileSync } from 'node:fs';
import { DOCKER_NODE_FLAGS, startDaemon, stopAllDaemons } from '../test/helpers/daemon.js';
import { spotWarning } from '../test/helpers/queue-messages.js';
import { startQueueWorld } from '../test/helpers/queue-world.js';

function flag(args: readonly string[], name: string, fallback: number): number {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
}

function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

/** Runs the benchmark. */
export default async function memoryQueue(args: readonly string[]): Promise<void> {
  const idleSeconds = flag(args, 'idle-seconds', 20);
  const nodes = 1000;
  const world = await startQueueWorld({
    seeded: {
      nodes,
      deployments: Array.from({ length: 20 }, (_, i) => ({
        name: `app${i}`,
        replicas: nodes,
        shutdownMs: 100,
      })),
    },
  });
  try {
    const daemon = await startDaemon(
      {
        mode: 'queue',
        entry: 'bundle',
        nodeFlags: DOCKER_NODE_FLAGS,
        env: world.daemonEnv({
          LEASE_DURATION_SECONDS: '15',
          LEASE_RENEW_SECONDS: '10',
          LEASE_RETRY_SECONDS: '2',
        }),
      },
      60_000,
    );
    await daemon.waitForLog((l) => l.msg === 'became leader', 30_000);
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, memory(daemon.pid).rss)), 50);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const idle = memory(daemon.pid);
    for (const n of world.nodes.slice(0, 5)) await world.send(spotWarning(n.instanceId));
    for (const n of world.nodes.slice(0, 5))
      await daemon.waitForLog((l) => l.msg === 'node drained' && l['node'] === n.name, 60_000);
    clearInterval(sample);
    const end = memory(daemon.pid);
    const r = (x: number) => Math.round(x * 10) / 10;
    console.log(
      JSON.stringify({
        bench: 'memory-queue',
        rss_mib: r(idle.rss),
        peak_rss_mib: r(Math.max(peak, end.rss)),
        hwm_mib: r(end.hwm),
        nodes,
        pods: nodes * 20,
      }),
    );
  } finally {
    await stopAllDaemons();
    await world.stop();
  }
}
