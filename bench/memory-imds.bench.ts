/**
 * memory-imds: the bundle (dist/spot-handler.mjs with the Dockerfile's V8 flags) in IMDS mode against the
 * simulators. RSS after --idle-seconds (default 600: RSS grows for minutes after start, so the figure is
 * taken at steady state; shorten it only while developing) of idle polling, then the peak RSS sampled
 * every 50 ms during a 110-pod drain (and VmHWM, the kernel's high-water mark over the whole life). The
 * Kubernetes client is loaded on the first notice: `first_load_ms` is what that cost (daemon log);
 * `drain_s` is notice to "node drained" (the pods take 0.3 s to exit), to see what the flags cost in speed.
 * Prints {"bench":"memory-imds","idle_rss_mib":…,"peak_rss_mib":…,"hwm_mib":…,"pods":110,…,"load_avg":…}.
 * Targets: idle ≤ 48 MiB, peak ≤ 80 MiB.
 */
import { loadavg } from 'node:os';
import { startSandboxWorld } from '../src/sandbox/demo-world.js';
import { DOCKER_NODE_FLAGS, startDaemon } from '../test/helpers/daemon.js';
import { numberArg, processMemoryMib } from './bench-args.js';

/** Runs the benchmark. */
export default async function memoryImds(args: readonly string[]): Promise<void> {
  const idleSeconds = numberArg(args, 'idle-seconds', 600);
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
    const idle = processMemoryMib(daemon.pid);
    let peak = idle.rss;
    const sampler = setInterval(() => (peak = Math.max(peak, processMemoryMib(daemon.pid).rss)), 50);
    const noticeAt = Date.now();
    world.imds.setSpotAction(
      'terminate',
      new Date(Date.now() + 120_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    );
    const drained = await daemon.waitForLog(
      (l) => l.msg === 'node drained' || l.msg === 'drain did not finish',
      60_000,
    );
    const drainS = (Date.now() - noticeAt) / 1000;
    clearInterval(sampler);
    const end = processMemoryMib(daemon.pid);
    peak = Math.max(peak, end.rss);
    const apiRequests = await daemon.metric('spot_handler_kube_api_requests_total').catch(() => null);
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
        drain_s: Math.round(drainS * 100) / 100,
        first_load_ms: daemon.logsWith('Kubernetes client loaded')[0]?.['loadMs'] ?? null,
        api_requests_per_drain: apiRequests,
        load_avg: loadavg()[0]?.toFixed(1),
      }),
    );
  } finally {
    await world.stop();
  }
}
