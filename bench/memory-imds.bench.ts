/**
 * memory-imds: the bundle (dist/spot-handler.mjs with the Dockerfile's V8 flags) in IMDS mode against the
 * simulators. RSS after --idle-seconds (default 60) of idle polling, then the peak RSS sampled every
 * 50 ms during a 110-pod drain (and VmHWM, the kernel's high-water mark over the whole life).
 * Prints {"bench":"memory-imds","idle_rss_mib":…,"peak_rss_mib":…,"hwm_mib":…,"pods":110}.
 * Targets: idle ≤ 64 MiB, peak ≤ 96 MiB.
 */
import { readFileSync } from 'node:fs';
import { startSandboxWorld } from '../src/sandbox/demo-world.js';
import { DOCKER_NODE_FLAGS, startDaemon } from '../test/helpers/daemon.js';

function flag(args: readonly string[], name: string, fallback: number): number {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
}

/** VmRSS and VmHWM of a process, MiB. */
function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

/** Runs the benchmark. */
export default async function memoryImds(args: readonly string[]): Promise<void> {
  const idleSeconds = flag(args, 'idle-seconds', 60);
  const pods = 110;
  const world = await startSandboxWorld({
    deployments: [{ name: 'bulk', replicas: pods, shutdownMs: 300, onlyOnFirstNode: true }],
    daemonSet: false,
  });
  try {
    const daemon = await startDaemon(
      { entry: 'bundle', nodeFlags: DOCKER_NODE_FLAGS, env: world.daemonEnv({ LOG_LEVEL: 'info' }) },
      30_000,
    );
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const idle = memory(daemon.pid);
    let peak = idle.rss;
    const sampler = setInterval(() => (peak = Math.max(peak, memory(daemon.pid).rss)), 50);
    world.imds.setSpotAction(
      'terminate',
      new Date(Date.now() + 120_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    );
    const drained = await daemon.waitForLog(
      (l) => l.msg === 'node drained' || l.msg === 'drain did not finish',
      60_000,
    );
    clearInterval(sampler);
    const end = memory(daemon.pid);
    peak = Math.max(peak, end.rss);
    await daemon.stop();
    const r = (n: number): number => Math.round(n * 10) / 10;
    console.log(
      JSON.stringify({
        bench: 'memory-imds',
        idle_rss_mib: r(idle.rss),
        peak_rss_mib: r(peak),
        hwm_mib: r(end.hwm),
        pods,
        idle_s: idleSeconds,
        drain: drained.msg,
      }),
    );
  } finally {
    await world.stop();
  }
}
