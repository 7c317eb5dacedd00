/**
 * memory-queue: RSS of one queue-mode replica (the bundle dist/spot-handler.mjs from `npm run build`,
 * with the Dockerfile's V8 flags) leading, with its node index over 1,000 nodes in a 20,000-pod cluster.
 * Samples RSS every 50 ms while it idles (--idle-seconds, default 20) and while it drains 5 nodes.
 * Prints {"bench":"memory-queue","rss_mib":…,"peak_rss_mib":…,"hwm_mib":…,"nodes":1000,"pods":20000}.
 * Target: ≤ 256 MiB.
 */
import { DOCKER_NODE_FLAGS, startDaemon, stopAllDaemons } from '../test/helpers/daemon.js';
import { spotWarning } from '../test/helpers/queue-messages.js';
import { startQueueWorld } from '../test/helpers/queue-world.js';
import { numberArg, processMemoryMib, twentyPodsPerNode, loadAvg1 } from './bench-args.js';

/** Runs the benchmark. */
export default async function memoryQueue(args: readonly string[]): Promise<void> {
  const idleSeconds = numberArg(args, 'idle-seconds', 20);
  const nodes = 1000;
  const world = await startQueueWorld({
    seeded: twentyPodsPerNode(nodes),
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
    const sample = setInterval(() => (peak = Math.max(peak, processMemoryMib(daemon.pid).rss)), 50);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const idle = processMemoryMib(daemon.pid);
    for (const n of world.nodes.slice(0, 5)) await world.send(spotWarning(n.instanceId));
    for (const n of world.nodes.slice(0, 5))
      await daemon.waitForLog((l) => l.msg === 'node drained' && l['node'] === n.name, 60_000);
    clearInterval(sample);
    const end = processMemoryMib(daemon.pid);
    const r = (x: number) => Math.round(x * 10) / 10;
    console.log(
      JSON.stringify({
        bench: 'memory-queue',
        load_avg: loadAvg1(),
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
