/**
 * `spot-handler sandbox` (`npm run demo`): starts the simulators in this process, builds a 3-node
 * cluster, runs the real daemon in IMDS mode for one node as a child process, posts a spot interruption
 * notice and prints the timeline (from an API watch and the daemon's logs) and a summary.
 * `--mode queue` does the same with a queue-mode daemon and an EventBridge message (demo-queue.ts);
 * `--prometheus` adds a real Prometheus with the chart's alert rules (demo-prometheus.ts); `--surge` a
 * single-replica Deployment that surge before evict keeps available (demo-surge.ts).
 */
import { spawnDemoDaemon, type DemoDaemon } from './demo-daemon.js';
import { printMetricsSummary } from './demo-metrics.js';
import { startDemoPrometheus, type DemoPrometheus } from './demo-prometheus.js';
import {
  describeCluster,
  mergeTimeline,
  printTimeline,
  secs,
  watchTimeline,
  type TimelineEntry,
} from './demo-timeline.js';
import { DEMO_DEPLOYMENTS, startSandboxWorld, SURGE_DEMO_DEPLOYMENT } from './demo-world.js';
import { printSurgeSummary, watchAvailability } from './demo-surge.js';

/** Where the demo writes, how it starts the daemon, and its timings. */
export interface DemoIo {
  readonly out: (text: string) => void;
  /** Node flags and script that start this program (`process.execArgv` + `process.argv[1]`). */
  readonly entry: readonly string[];
  /** Environment passed on to the daemon (PATH, HOME). */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** Quiet time before the notice (default 3000 ms). */
  readonly noticeAfterMs?: number;
}

/** What the demo measured (for its test). */
export interface DemoResult {
  readonly code: number;
  readonly timeline: readonly TimelineEntry[];
  readonly podsEvicted: number;
  readonly drainedAfterMs?: number;
}

/** What the IMDS demo adds to its story. */
export interface DemoOptions {
  /** `--prometheus`: a real Prometheus scrapes the daemon with the chart's alert rules (demo-prometheus.ts). */
  readonly prometheus?: boolean;
  /** `--surge`: a one-replica Deployment behind a PDB opted in to surge before evict (docs/surge-before-evict.md). */
  readonly surge?: boolean;
}

/** Parses `[--mode imds|queue] [--prometheus] [--surge]`; runs the demo; resolves with the exit code. */
export async function runSandboxCommand(argv: readonly string[], io: DemoIo): Promise<number> {
  const i = argv.indexOf('--mode');
  const mode = i >= 0 ? argv[i + 1] : (argv.find((a) => a.startsWith('--mode='))?.slice(7) ?? 'imds');
  if (mode !== 'imds' && mode !== 'queue') {
    io.out(`spot-handler sandbox: unknown --mode "${String(mode)}" (imds | queue)\n`);
    return 2;
  }
  const known = new Set(['--mode', 'imds', 'queue', '--prometheus', '--surge']);
  const unknown = argv.filter((a) => !known.has(a) && !a.startsWith('--mode='));
  if (unknown.length > 0) {
    io.out(
      `spot-handler sandbox: unknown argument ${unknown.join(' ')} (--mode imds|queue, --prometheus, --surge)\n`,
    );
    return 2;
  }
  const options: DemoOptions = { prometheus: argv.includes('--prometheus'), surge: argv.includes('--surge') };
  if (mode === 'queue' && (options.prometheus || options.surge)) {
    io.out(
      'spot-handler sandbox: --prometheus and --surge show the IMDS demo; run it without --mode queue\n',
    );
    return 2;
  }
  const script = io.entry[io.entry.length - 1] ?? '';
  if (!/(main\.[jt]s|spot-handler[^/]*\.mjs)$/.test(script)) {
    io.out(`spot-handler sandbox: cannot start the daemon: ${script} is not the spot-handler entry\n`);
    return 1;
  }
  if (mode === 'imds') return (await runImdsDemo(io, options)).code;
  // loaded only here: fauxqs and the SQS/EC2/Auto Scaling simulators are not needed for the IMDS demo
  const { runQueueDemo } = await import('./demo-queue.js');
  return (await runQueueDemo(io)).code;
}

/** The IMDS demo end to end. */
export async function runImdsDemo(io: DemoIo, options: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  io.out(
    'spot-handler sandbox: simulated Kubernetes API, kubelet and EC2 instance metadata, no AWS account\n',
  );
  const deployments = options.surge ? [...DEMO_DEPLOYMENTS, SURGE_DEMO_DEPLOYMENT] : DEMO_DEPLOYMENTS;
  const world = await startSandboxWorld({ deployments });
  let daemon: DemoDaemon | undefined;
  let prometheus: DemoPrometheus | undefined;
  const watcher = await watchTimeline(world.kube.url, world.nodeName);
  const surgeName = SURGE_DEMO_DEPLOYMENT.name;
  const available = options.surge
    ? {
        ...(await watchAvailability(world.kube.url, world.namespace, surgeName)),
        name: `${world.namespace}/${surgeName}`,
      }
    : undefined;
  try {
    describeCluster(world, io.out, deployments);
    daemon = await spawnDemoDaemon(io.entry, { ...io.baseEnv, ...world.daemonEnv({ LOG_LEVEL: 'info' }) });
    await daemon.waitReady(30_000);
    if (options.prometheus)
      prometheus = await startDemoPrometheus({ target: `127.0.0.1:${daemon.port}`, out: io.out });
    io.out(
      `daemon ready after ${secs(Date.now() - started)} s (IMDS mode for ${world.nodeName}); waiting quietly\n`,
    );
    await new Promise((r) => setTimeout(r, io.noticeAfterMs ?? 3000));
    if (available && !(await available.available(10_000)))
      io.out(`${available.name} was not seen available before the notice\n`);
    const deadlineMs = Date.now() + 120_000;
    world.imds.setSpotAction('terminate', new Date(deadlineMs).toISOString().replace(/\.\d+Z$/, 'Z'));
    const noticeAt = Date.now();
    watcher.entries.push({
      atMs: noticeAt,
      source: 'sandbox',
      text: 'IMDS: spot instance-action terminate (2 min)',
    });
    const end = await daemon.waitFor(['node drained', 'drain did not finish'], 45_000);
    await new Promise((r) => setTimeout(r, 300)); // let the last watch events arrive
    const timeline = mergeTimeline(watcher.entries, daemon.logs, noticeAt);
    printTimeline(timeline, noticeAt, io.out);
    const appPodsLeft = world.podsOn(world.nodeName).filter((p) => p.metadata.namespace === 'default').length;
    const dsKept = world.podsOn(world.nodeName).filter((p) => p.metadata.namespace === 'kube-system').length;
    const drainedAfterMs = end.atMs - noticeAt;
    io.out('\nsummary\n');
    io.out(`  pods evicted: ${watcher.evicted.size}, application pods left on the node: ${appPodsLeft}\n`);
    io.out(`  DaemonSet pods left in place: ${dsKept}\n`);
    io.out(
      `  notice to drained: ${secs(drainedAfterMs)} s, ${secs(deadlineMs - end.atMs)} s before the deadline\n`,
    );
    io.out(`  result: ${end.msg}; whole demo ${secs(Date.now() - started)} s\n`);
    await printMetricsSummary(daemon.port, io.out);
    if (options.surge) await printSurgeSummary(daemon, io.out, available);
    await prometheus?.printSummary(started, io.out);
    const ok = end.msg === 'node drained' && appPodsLeft === 0;
    return { code: ok ? 0 : 1, timeline, podsEvicted: watcher.evicted.size, drainedAfterMs };
  } finally {
    watcher.stop();
    available?.stop();
    await prometheus?.stop();
    await daemon?.stop();
    await world.stop();
  }
}
