/**
 * mass-queue: the real daemon in queue mode (one replica, leader) against a simulated cluster of 1,000
 * nodes × 20 pods (pods exit 100 ms after SIGTERM). 300 spot interruption warnings land in the queue at
 * once. Measures from the last send: all 300 nodes cordoned, all 6,000 pods of those nodes gone, messages
 * left in the queue (lost), nodes drained more than once (duplicates), and the daemon's API requests.
 * Prints {"bench":"mass-queue","nodes":1000,"interrupted":300,"cordon_all_s":…,"drain_all_s":…,
 * "lost_messages":…,"duplicate_actions":…,"api_requests":…,"kube_api_qps":…,"kube_api_burst":…}
 * plus the daemon's own timeline (first receive, first/last cordon, first drain start, from its logs).
 * Targets: cordon_all_s ≤ 5, drain_all_s ≤ 60, 0 lost, 0 duplicates. Flags: --qps=N --burst=N --nodes=N
 * --interrupted=N --timeout-s=N (qps/burst: the daemon's defaults unless given). Diagnostics:
 * --daemon-prof=DIR (daemon CPU profile, written at a graceful stop), --log-file=PATH (daemon output),
 * --requests (simulator requests by method and resource on stderr).
 */
import { writeFileSync } from 'node:fs';
import { KUBE_SCHEMA } from '../src/config/schema-general.js';
import { startDaemon, stopAllDaemons, type Daemon } from '../test/helpers/daemon.js';
import { spotWarning } from '../test/helpers/queue-messages.js';
import { startQueueWorld, type QueueWorld } from '../test/helpers/queue-world.js';
import { numberArg, textArg, twentyPodsPerNode, loadAvg1 } from './bench-args.js';
import { massCounts, metricPatiently, span, waitDeletes } from './mass-queue-results.js';

/** Simulator requests since `from` grouped by method, resource and status (stderr, diagnostics). */
function requestBreakdown(world: QueueWorld, from: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of world.kube.requests.entries()) {
    if (r.at < from) continue;
    const resource = r.path
      .replace(/\/namespaces\/[^/]+/, '')
      .replace(/^\/apis?\/([^/]+\/)?v1\//, '')
      .replace(/^(\w+)\/[^/]+/, '$1/NAME');
    const watch = r.query.includes('watch=') ? ' watch' : '';
    const key = `${r.method} ${resource}${watch} ${r.status}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

async function startBenchDaemon(world: QueueWorld, args: readonly string[]): Promise<Daemon> {
  const prof = textArg(args, 'daemon-prof');
  const env: Record<string, string> = {
    LOG_LEVEL: 'info',
    LEASE_DURATION_SECONDS: '15',
    LEASE_RENEW_SECONDS: '10',
    LEASE_RETRY_SECONDS: '2',
  };
  const qps = textArg(args, 'qps');
  const burst = textArg(args, 'burst');
  if (qps !== undefined) env['KUBE_API_QPS'] = qps;
  if (burst !== undefined) env['KUBE_API_BURST'] = burst;
  const daemon = await startDaemon({
    mode: 'queue',
    env: world.daemonEnv(env),
    nodeFlags: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
  });
  await daemon.waitForLog((l) => l.msg === 'became leader', 30_000);
  return daemon;
}

/** Runs the benchmark. */
export default async function massQueue(args: readonly string[]): Promise<void> {
  const nodes = numberArg(args, 'nodes', 1000);
  const interrupted = numberArg(args, 'interrupted', 300);
  const timeoutMs = numberArg(args, 'timeout-s', 180) * 1000;
  const world = await startQueueWorld({
    visibilitySeconds: 30,
    seeded: twentyPodsPerNode(nodes, 30),
  });
  try {
    const daemon = await startBenchDaemon(world, args);
    const targets = world.nodes.slice(0, interrupted);
    const pods = new Map<string, string>(); // namespace/name → uid, original pods of interrupted nodes
    for (const t of targets)
      for (const p of world.appPodsOn(t.name))
        pods.set(`${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`, p.metadata.uid ?? '');
    const apiBefore = await metricPatiently(daemon, 'spot_handler_kube_api_requests_total');
    const sentFrom = Date.now();
    await Promise.all(targets.map((t) => world.send(spotWarning(t.instanceId))));
    const t0 = Date.now();
    let cordonAt: number | undefined;
    let drainAt: number | undefined;
    const podKeys = [...pods].map(([key, uid]) => [...key.split('/'), uid] as const);
    while (Date.now() - t0 < timeoutMs && drainAt === undefined) {
      if (
        cordonAt === undefined &&
        targets.every((t) => world.node(t.name)?.spec?.['unschedulable'] === true)
      )
        cordonAt = Date.now();
      const left = podKeys.some(
        ([ns = '', name = '', uid]) => world.kube.store.get('pods', ns, name)?.metadata.uid === uid,
      );
      if (!left && cordonAt !== undefined) drainAt = Date.now();
      // the cordons are read every 50 ms (the figure's resolution), the drain less often
      await new Promise((r) => setTimeout(r, cordonAt === undefined ? 50 : 100));
    }
    await waitDeletes(daemon, interrupted);
    // the queue first: a message deleted by then had its node drained before this pod snapshot
    const queue = await world.sqs.counts();
    const left = new Set(
      podKeys
        .filter(([ns = '', name = '', uid]) => world.kube.store.get('pods', ns, name)?.metadata.uid === uid)
        .map(([ns = '', name = '']) => world.kube.store.get('pods', ns, name)?.spec?.['nodeName']),
    );
    const drained = targets.filter((t) => !left.has(t.name)).length;
    const counts = massCounts(daemon, queue, interrupted, drained);
    const apiAfter = await metricPatiently(daemon, 'spot_handler_kube_api_requests_total');
    const secs = (at: number | undefined) => (at === undefined ? null : Math.round((at - t0) / 10) / 100);
    const [firstReceive] = span(daemon, 'interruption event received', t0);
    const [firstCordon, lastCordon] = span(daemon, 'node cordoned', t0);
    const [firstDrain] = span(daemon, 'drain started', t0);
    if (args.includes('--requests'))
      console.error(JSON.stringify(requestBreakdown(world, sentFrom), null, 1));
    const logFile = textArg(args, 'log-file');
    if (logFile) writeFileSync(logFile, daemon.output());
    if (textArg(args, 'daemon-prof')) await daemon.stop(30_000);
    console.log(
      JSON.stringify({
        bench: 'mass-queue',
        load_avg: loadAvg1(),
        nodes,
        interrupted,
        cordon_all_s: secs(cordonAt),
        drain_all_s: secs(drainAt),
        ...counts,
        api_requests: apiAfter - apiBefore,
        kube_api_qps: numberArg(args, 'qps', Number(KUBE_SCHEMA.qps.default)),
        kube_api_burst: numberArg(args, 'burst', Number(KUBE_SCHEMA.burst.default)),
        daemon_first_receive_s: firstReceive,
        daemon_first_cordon_s: firstCordon,
        daemon_last_cordon_s: lastCordon,
        daemon_first_drain_s: firstDrain,
      }),
    );
  } finally {
    await stopAllDaemons();
    await world.stop();
  }
}
