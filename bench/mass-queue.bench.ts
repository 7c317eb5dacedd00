/**
 * mass-queue: the real daemon in queue mode (one replica, leader) against a simulated cluster of 1,000
 * nodes × 20 pods (pods exit 100 ms after SIGTERM). 300 spot interruption warnings land in the queue at
 * once. Measures from the last send: all 300 nodes cordoned, all 6,000 pods of those nodes gone, messages
 * left in the queue (lost), nodes drained more than once (duplicates), and the daemon's API requests.
 * Prints {"bench":"mass-queue","nodes":1000,"interrupted":300,"cordon_all_s":…,"drain_all_s":…,
 * "lost_messages":…,"duplicate_actions":…,"api_requests":…,"kube_api_qps":…,"kube_api_burst":…}.
 * Targets: cordon_all_s ≤ 5, drain_all_s ≤ 60, 0 lost, 0 duplicates. Flags: --qps=N --burst=N --nodes=N
 * --interrupted=N --timeout-s=N.
 */
import { stopAllDaemons } from '../test/helpers/daemon.js';
import { startQueueDaemon } from '../test/helpers/queue-daemon.js';
import { spotWarning } from '../test/helpers/queue-messages.js';
import { startQueueWorld } from '../test/helpers/queue-world.js';

function flag(args: readonly string[], name: string, fallback: number): number {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
}

/** Runs the benchmark. */
export default async function massQueue(args: readonly string[]): Promise<void> {
  const nodes = flag(args, 'nodes', 1000);
  const interrupted = flag(args, 'interrupted', 300);
  const qps = flag(args, 'qps', 100);
  const burst = flag(args, 'burst', 200);
  const timeoutMs = flag(args, 'timeout-s', 180) * 1000;
  const world = await startQueueWorld({
    visibilitySeconds: 30,
    cluster: {
      nodes,
      deployments: Array.from({ length: 20 }, (_, i) => ({
        name: `app${i}`,
        replicas: nodes,
        shutdownMs: 100,
        terminationGracePeriodSeconds: 30,
      })),
    },
  });
  try {
    const daemon = await startQueueDaemon(world, {
      LOG_LEVEL: 'info',
      KUBE_API_QPS: String(qps),
      KUBE_API_BURST: String(burst),
      LEASE_DURATION_SECONDS: '15',
      LEASE_RENEW_SECONDS: '10',
      LEASE_RETRY_SECONDS: '2',
    });
    await daemon.waitForLog((l) => String(l.msg).includes('nodes') || l.msg === 'became leader', 30_000);
    const targets = world.nodes.slice(0, interrupted);
    const pods = new Map<string, string>(); // namespace/name → uid, original pods of interrupted nodes
    for (const t of targets)
      for (const p of world.appPodsOn(t.name))
        pods.set(`${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`, p.metadata.uid ?? '');
    const apiBefore = await daemon.metric('spot_handler_kube_api_requests_total');
    await Promise.all(targets.map((t) => world.send(spotWarning(t.instanceId))));
    const t0 = Date.now();
    let cordonAt: number | undefined;
    let drainAt: number | undefined;
    while (Date.now() - t0 < timeoutMs && drainAt === undefined) {
      if (
        cordonAt === undefined &&
        targets.every((t) => world.node(t.name)?.spec?.['unschedulable'] === true)
      )
        cordonAt = Date.now();
      const left = [...pods].filter(([key, uid]) => {
        const [ns = '', name = ''] = key.split('/');
        return world.kube.store.get('pods', ns, name)?.metadata.uid === uid;
      }).length;
      if (left === 0 && cordonAt !== undefined) drainAt = Date.now();
      await new Promise((r) => setTimeout(r, 100));
    }
    // let the deletes land
    const end = Date.now() + 15_000;
    while (Date.now() < end && (await daemon.metric('spot_handler_sqs_messages_deleted_total')) < interrupted)
      await new Promise((r) => setTimeout(r, 250));
    const counts = await world.sqs.counts();
    const drains = new Map<string, number>();
    for (const l of daemon.logsWith('drain started')) {
      const node = String(l['node']);
      drains.set(node, (drains.get(node) ?? 0) + 1);
    }
    const duplicates = [...drains.values()].reduce((s, n) => s + Math.max(0, n - 1), 0);
    const apiAfter = await daemon.metric('spot_handler_kube_api_requests_total');
    const secs = (at: number | undefined) => (at === undefined ? null : Math.round((at - t0) / 10) / 100);
    console.log(
      JSON.stringify({
        bench: 'mass-queue',
        nodes,
        interrupted,
        cordon_all_s: secs(cordonAt),
        drain_all_s: secs(drainAt),
        lost_messages: counts.visible + counts.inFlight + counts.delayed,
        duplicate_actions: duplicates,
        api_requests: apiAfter - apiBefore,
        kube_api_qps: qps,
        kube_api_burst: burst,
      }),
    );
  } finally {
    await stopAllDaemons();
    await world.stop();
  }
}
