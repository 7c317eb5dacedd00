/**
 * Story: what an on-call engineer reads in `kubectl describe node` after spot-handler acted. The real
 * daemon (IMDS mode) drains its node twice over: a spot interruption that drains cleanly, and, on a
 * fresh world, a rebalance recommendation (drained, non-urgent) held up by a PodDisruptionBudget that
 * allows no disruption. The Events are read back through the API, so this runs on the simulator and on
 * a real API server (TEST_KUBECONFIG): one Event per phase, UpperCamelCase reasons, Normal for what went
 * to plan and Warning for what needs someone, and the blocking pods and PDB named.
 *
 * PRINT_NODE_EVENTS=1 also prints `kubectl describe node` and `kubectl get events` (when kubectl is on
 * the PATH): that is how the excerpt in docs/alerts.md was made on the real control plane.
 */
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxWorld } from '../../src/sandbox/demo-world.js';
import { startSandboxWorldOnKubeEnv } from '../helpers/kube-env.js';
import { startDaemon, stopAllDaemons } from '../helpers/daemon.js';

const run = promisify(execFile);
let world: SandboxWorld | undefined;

afterEach(async () => {
  await stopAllDaemons();
  await world?.stop();
  world = undefined;
});

interface SeenEvent {
  readonly reason: string;
  readonly type: string;
  readonly note: string;
}

/**
 * spot-handler's Events on the node, oldest first (names end in the creation time in hex, as client-go's).
 * A real control plane adds its own (the node lifecycle controller's RegisteredNode): not ours.
 */
async function nodeEvents(w: SandboxWorld, node: string): Promise<SeenEvent[]> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(w.kubeconfigPath);
  // the query `kubectl describe node` makes: by kind, name and uid
  const uid = w.node(node)?.metadata.uid ?? '';
  const list = await kc.makeApiClient(k8s.CoreV1Api).listEventForAllNamespaces({
    fieldSelector: `involvedObject.kind=Node,involvedObject.name=${node},involvedObject.namespace=,involvedObject.uid=${uid}`,
  });
  return [...list.items]
    .filter((e) => e.reportingComponent === 'spot-handler')
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
    .map((e) => ({
      reason: e.reason ?? '',
      type: e.type ?? '',
      note: e.message ?? '',
    }));
}

/** The events' reasons and types in order, one string: `SpotInterruption/Normal Cordoned/Normal …`. */
function reasonsAndTypes(events: readonly SeenEvent[]): string {
  return events.map((e) => `${e.reason}/${e.type}`).join(' ');
}

/** Waits until an Event with `reason` is there (Events are written in the background). */
async function eventsUntil(w: SandboxWorld, node: string, reason: string): Promise<SeenEvent[]> {
  const until = Date.now() + 8_000;
  for (;;) {
    const events = await nodeEvents(w, node);
    if (events.some((e) => e.reason === reason) || Date.now() > until) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** With PRINT_NODE_EVENTS=1: what kubectl shows (for docs/alerts.md); async, the simulator runs in this process. */
async function printWithKubectl(w: SandboxWorld, node: string): Promise<void> {
  if (process.env['PRINT_NODE_EVENTS'] !== '1') return;
  const kubectl = async (args: string[]): Promise<string> => {
    try {
      const out = await run('kubectl', ['--kubeconfig', w.kubeconfigPath, ...args], { timeout: 20_000 });
      return out.stdout;
    } catch (err) {
      return `kubectl ${args.join(' ')} failed: ${String(err)}\n`;
    }
  };
  const describeText = await kubectl(['describe', 'node', node]);
  const events = describeText.slice(describeText.indexOf('Events:'));
  process.stdout.write(`\n$ kubectl describe node ${node}\n…\n${events}`);
  const get = await kubectl(['get', 'events', '-A', '--field-selector', 'involvedObject.kind=Node']);
  process.stdout.write(`\n$ kubectl get events -A --field-selector involvedObject.kind=Node\n${get}\n`);
}

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

describe('Kubernetes Events an on-call engineer reads', () => {
  it('spot interruption, clean drain: notice, cordon, drain, drained; all Normal', async () => {
    world = await startSandboxWorldOnKubeEnv({
      deployments: [
        { name: 'web', replicas: 4, shutdownMs: 200 },
        { name: 'api', replicas: 3, pdbMinAvailable: 2, shutdownMs: 300 },
      ],
    });
    const daemon = await startDaemon({ env: world.daemonEnv({ IMDS_POLL_INTERVAL_MS: '200' }) });
    const node = world.nodeName;
    world.imds.setSpotAction('terminate', isoSeconds(Date.now() + 120_000));
    await daemon.waitForLog((l) => l.msg === 'node drained', 15_000);

    const events = await eventsUntil(world, node, 'Drained');
    expect(reasonsAndTypes(events)).toBe(
      'SpotInterruption/Normal Cordoned/Normal DrainStarted/Normal Drained/Normal',
    );
    const [notice, cordoned, started, drained] = events.map((e) => e.note);
    expect(notice).toMatch(
      /^Spot interruption notice for instance i-[0-9a-f]+ \(spot instance-action terminate at .+\); deadline \S+Z \(in 1\d\d s\)$/,
    );
    expect(cordoned).toMatch(
      /^Node cordoned and tainted spot-handler\/spot-interruption:NoSchedule \(spot interruption notice for instance i-[0-9a-f]+\): no new pods are scheduled on it$/,
    );
    expect(started).toMatch(/^Draining node: evicting its pods before the deadline \S+Z \(in 1\d\d s\)$/);
    expect(drained).toMatch(/^Node drained in \d+\.\d s: \d+ pods evicted$/);
    await printWithKubectl(world, node);
    expect((await daemon.stop()).code).toBe(0);
  });

  it('drain blocked by a PDB: the pods and the PDB are named, Warning, with what to do', async () => {
    world = await startSandboxWorldOnKubeEnv({
      deployments: [
        { name: 'web', replicas: 2, shutdownMs: 100, onlyOnFirstNode: true },
        { name: 'db', replicas: 1, pdbMinAvailable: 1, shutdownMs: 100, onlyOnFirstNode: true },
      ],
    });
    const daemon = await startDaemon({
      env: world.daemonEnv({
        IMDS_POLL_INTERVAL_MS: '200',
        ENABLE_REBALANCE_DRAINING: 'true',
        NODE_TERMINATION_GRACE_PERIOD: '3',
      }),
    });
    const node = world.nodeName;
    world.imds.setRebalance(isoSeconds(Date.now()));
    await daemon.waitForLog((l) => l.msg === 'drain did not finish', 15_000);

    const events = await eventsUntil(world, node, 'DrainBlocked');
    expect(reasonsAndTypes(events)).toBe(
      'RebalanceRecommendation/Normal Cordoned/Normal DrainStarted/Normal PodBlockedByPdb/Warning DrainBlocked/Warning',
    );
    const ns = world.namespace;
    const blocked = events[3]?.note ?? '';
    expect(blocked).toMatch(
      new RegExp(
        `^Pod ${ns}/db-[a-z0-9-]+ could not be evicted: PodDisruptionBudget ${ns}/db(-pdb)? allowed no disruption .*; it is still on the node\\. Give the workload more replicas or relax the budget$`,
      ),
    );
    expect(events[4]?.note).toMatch(
      /^Drain blocked after \d+\.\d s: PodDisruptionBudgets are respected .* \(2 pods evicted, 1 still on the node; blocked by \S+\/db-\S+ \(PDB \S+\)\)\. Let the budgets allow a disruption; the next notice drains the node$/,
    );
    await printWithKubectl(world, node);
  });
});
