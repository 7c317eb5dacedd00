/**
 * Story: surge before evict (docs/surge-before-evict.md). A one-replica Deployment with a PDB
 * minAvailable 1 on a spot-interrupted node keeps an available replica throughout: the rollout restart
 * brings a new pod up on another node, and only then is the old pod evicted. When the replacement cannot
 * become Ready, the drain falls back in time to give the pod its grace before the deadline. maxSurge 0
 * and opted-out Deployments take the normal path; a rollout already in progress is joined, not restarted.
 * Runs on the simulator and on a real cluster.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, expect, it, vi } from 'vitest';
import { N1, N2, podsOn, startDrainEnv, terminationsOn, waitUntil, type DrainEnv } from './drain-support.js';
import { createNodes, createPdb } from '../helpers/world-builder.js';
import { appPods, createDeployment, observe, restartedAt, surgeActuator } from './surge-support.js';
import { SURGE_ANNOTATION } from '../../src/actions/drain/surge-decision.js';
import type { DrainRequest } from '../../src/pipeline/node-actuator-port.js';

// a real control plane on a shared, loaded machine: set-up (namespace, nodes Ready, PDB observed) is slow
vi.setConfig({ testTimeout: 120_000 });

let env: DrainEnv | undefined;

afterEach(async () => {
  await env?.stop();
  env = undefined;
});

const OPT_IN = { [SURGE_ANNOTATION]: 'true' };

function spotRequest(node: string, inMs: number): DrainRequest {
  return {
    nodeName: node,
    kind: 'spot-interruption',
    eventId: `spot-${node}`,
    deadlineMs: Date.now() + inMs,
    urgent: true,
    signal: new AbortController().signal,
  };
}

/** N1 with the Deployment's pods on it; `others` joined afterwards (so nothing lands there first). */
async function world(spec: Parameters<typeof createDeployment>[1], others: string[], pdb = true) {
  env = await startDrainEnv({ startDelayMs: 800 });
  await createNodes(env, [N1]);
  await createDeployment(env, spec);
  if (pdb) await createPdb(env, { name: `${spec.name}-pdb`, app: spec.name, minAvailable: 1 });
  if (others.length > 0) await createNodes(env, others);
  const e = env;
  await waitUntil(
    'other nodes Ready',
    async () => {
      const nodes = await e.core.listNode();
      return nodes.items
        .filter((n) => others.includes(n.metadata?.name ?? ''))
        .every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
    },
    10_000,
  );
  if (pdb) {
    await waitUntil(
      'PDB observed',
      async () => {
        const p = await e.policy.readNamespacedPodDisruptionBudget({
          name: `${spec.name}-pdb`,
          namespace: e.namespace,
        });
        return (p.status?.currentHealthy ?? 0) >= 1;
      },
      10_000,
    );
  }
  return e;
}

it('one replica, PDB minAvailable 1: the replacement is Ready elsewhere before the old pod goes', async () => {
  const e = await world({ name: 'web', replicas: 1, annotations: OPT_IN, graceSeconds: 5 }, [N2]);
  const [old] = await appPods(e, 'web');
  const seen = await observe(e, 'web');
  const { actuator, metrics } = await surgeActuator(e, N1);
  const request = spotRequest(N1, 30_000);

  const result = await actuator.drain(request);
  const endedAt = Date.now();
  await new Promise((r) => setTimeout(r, 300));
  seen.stop();

  expect(result).toMatchObject({ result: 'succeeded', podsRemaining: 0, podsForceDeleted: 0 });
  expect(result.surges).toEqual([
    expect.objectContaining({ namespace: e.namespace, name: 'web', kind: 'Deployment', result: 'surged' }),
  ]);
  expect(result.surges?.[0]?.replacementMs).toBeGreaterThan(500);
  expect(endedAt).toBeLessThan(request.deadlineMs);
  // availability never dropped to 0 once the watch started
  expect(seen.available.length).toBeGreaterThan(0);
  expect(Math.min(...seen.available)).toBeGreaterThanOrEqual(1);
  // the old pod started terminating only after a new pod was Ready on n2
  const oldSeen = seen.pods.get(old?.metadata?.uid ?? '');
  const fresh = [...seen.pods.entries()].filter(([uid]) => uid !== old?.metadata?.uid);
  const readyElsewhere = fresh.filter(([, p]) => p.node === N2 && p.readyAt !== undefined);
  expect(readyElsewhere.length).toBeGreaterThanOrEqual(1);
  expect(oldSeen?.goingAt).toBeDefined();
  expect(oldSeen?.goingAt ?? 0).toBeGreaterThanOrEqual(
    Math.min(...readyElsewhere.map(([, p]) => p.readyAt ?? 0)),
  );
  expect(await restartedAt(e, 'web')).toBeDefined();
  expect(await podsOn(e, N1)).toHaveLength(0);
  // the old pod got its grace (5 s asked, far from the deadline)
  expect(terminationsOn(e, N1).map((t) => t.graceSeconds)).toEqual([5]);
  const surged = (await metrics.surges.get()).values.find((v) => v.labels.result === 'surged');
  expect(surged?.value).toBe(1);
});

it('joined a rollout already in progress: waits for its new pod, restarts nothing, evicts after', async () => {
  const e = await world({ name: 'busy', replicas: 1, annotations: OPT_IN, graceSeconds: 3 }, [N2]);
  const [old] = await appPods(e, 'busy');
  const seen = await observe(e, 'busy');
  const { actuator, metrics } = await surgeActuator(e, N1);
  // someone (a deploy pipeline) rolls the Deployment out just before the notice
  const theirs = '2026-12-07T12:00:00Z';
  await e.apps.patchNamespacedDeployment(
    {
      name: 'busy',
      namespace: e.namespace,
      body: {
        spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': theirs } } } },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  const request = spotRequest(N1, 30_000);

  const result = await actuator.drain(request);
  await new Promise((r) => setTimeout(r, 300));
  seen.stop();

  expect(result).toMatchObject({ result: 'succeeded', podsRemaining: 0, podsForceDeleted: 0 });
  expect(result.surges).toEqual([
    expect.objectContaining({ name: 'busy', kind: 'Deployment', result: 'surged', joined: true }),
  ]);
  // joined, not restarted: the pipeline's rollout is the one that ran, and no second one was started
  expect(await restartedAt(e, 'busy')).toBe(theirs);
  const d = await e.apps.readNamespacedDeployment({ name: 'busy', namespace: e.namespace });
  expect(d.metadata?.annotations?.['spot-handler/surged-at']).toBeUndefined();
  expect(Math.min(...seen.available)).toBeGreaterThanOrEqual(1);
  // the old pod went only after the rollout's new pod was Ready on n2
  const oldSeen = seen.pods.get(old?.metadata?.uid ?? '');
  const readyElsewhere = [...seen.pods.entries()]
    .filter(([uid, p]) => uid !== old?.metadata?.uid && p.node === N2 && p.readyAt !== undefined)
    .map(([, p]) => p.readyAt ?? 0);
  expect(readyElsewhere.length).toBeGreaterThanOrEqual(1);
  expect(oldSeen?.goingAt ?? 0).toBeGreaterThanOrEqual(Math.min(...readyElsewhere));
  expect(await podsOn(e, N1)).toHaveLength(0);
  const surged = (await metrics.surges.get()).values.find((v) => v.labels.result === 'surged');
  expect(surged?.value).toBe(1);
});

it('replacement never Ready: falls back before the deadline and the pod still gets its grace', async () => {
  // no other node: the new pod stays Pending
  const e = await world({ name: 'solo', replicas: 1, annotations: OPT_IN, graceSeconds: 2 }, []);
  const { actuator, metrics } = await surgeActuator(e, N1, { forceLeadMs: 3000, deadlineMarginMs: 500 });
  const request = spotRequest(N1, 9000);
  const startedAt = Date.now();

  const result = await actuator.drain(request);
  const endedAt = Date.now();

  expect(result.surges).toEqual([expect.objectContaining({ name: 'solo', result: 'fell_back' })]);
  // gave up at deadline − grace (2 s) − force lead (3 s), i.e. about 4 s in
  const waited = result.surges?.[0]?.replacementMs ?? 0;
  expect(waited).toBeGreaterThan(3000);
  expect(startedAt + waited).toBeLessThanOrEqual(request.deadlineMs - 5000 + 500);
  // the PDB still refused (the only Ready pod), so the normal path deleted it at deadline − force lead
  expect(result).toMatchObject({ result: 'forced', podsForceDeleted: 1, podsRemaining: 0 });
  expect(endedAt).toBeLessThan(request.deadlineMs);
  const terms = terminationsOn(e, N1);
  expect(terms.map((t) => [t.graceSeconds, t.killed])).toEqual([[2, false]]);
  const fellBack = (await metrics.surges.get()).values.find((v) => v.labels.result === 'fell_back');
  expect(fellBack?.value).toBe(1);
});

it('maxSurge 0: not eligible, normal path, no rollout', async () => {
  const e = await world(
    { name: 'nosurge', replicas: 1, maxSurge: 0, maxUnavailable: 1, annotations: OPT_IN, graceSeconds: 2 },
    [N2],
    false,
  );
  const { actuator, metrics } = await surgeActuator(e, N1);

  const result = await actuator.drain(spotRequest(N1, 30_000));

  expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 1, podsRemaining: 0 });
  expect(result.surges).toEqual([
    expect.objectContaining({ name: 'nosurge', result: 'not_eligible', reason: 'no-surge' }),
  ]);
  expect(await restartedAt(e, 'nosurge')).toBeUndefined();
  const skipped = (await metrics.surges.get()).values.find((v) => v.labels.result === 'not_eligible');
  expect(skipped?.value).toBe(1);
});

it('not opted in: normal path (the PDB holds until the deadline forces it), no rollout', async () => {
  const e = await world({ name: 'plain', replicas: 1, graceSeconds: 1 }, [N2]);
  const { actuator } = await surgeActuator(e, N1, { forceLeadMs: 2000, deadlineMarginMs: 500 });

  const result = await actuator.drain(spotRequest(N1, 4000));

  expect(result).toMatchObject({ result: 'forced', podsForceDeleted: 1 });
  expect(result.surges).toBeUndefined();
  expect(await restartedAt(e, 'plain')).toBeUndefined();
});

it('paused Deployment: not eligible, normal path', async () => {
  const e = await world(
    { name: 'held', replicas: 1, paused: true, annotations: OPT_IN, graceSeconds: 1 },
    [N2],
    false,
  );
  const { actuator } = await surgeActuator(e, N1);

  const result = await actuator.drain(spotRequest(N1, 30_000));

  expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 1 });
  expect(result.surges).toEqual([
    expect.objectContaining({ name: 'held', result: 'not_eligible', reason: 'paused' }),
  ]);
  expect(await restartedAt(e, 'held')).toBeUndefined();
});
