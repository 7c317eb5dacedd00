/**
 * Story: the daemon meets the failures an operator sees in production (IMDS errors, a node PATCH
 * answered 500, evictions answered 503, an Event refused with 403) and still drains its node. Every
 * warn-level line reads as one line per failure: what failed (status code, reason, the object) and what
 * happens next, with no stack trace, no response body and no duplicated JSON key. Log lines are read
 * back from the daemon's stdout. PRINT_LOG_SAMPLE=1 prints them (docs/alerts.md shows such a sample).
 */
import { expect, it } from 'vitest';
import { imdsWorldPerTest } from '../helpers/per-test.js';
import type { SandboxWorld } from '../../src/sandbox/demo-world.js';
import { startDaemon, type LogLine } from '../helpers/daemon.js';
import { onRealCluster } from '../helpers/kube-env.js';

let world: SandboxWorld;

imdsWorldPerTest(
  {
    nodeCount: 2,
    daemonSet: false,
    deployments: [{ name: 'web', replicas: 3, onlyOnFirstNode: true, shutdownMs: 100 }],
  },
  (w) => (world = w),
);

/** The keys of the top-level JSON object in `raw`, in order, duplicates kept. */
export function topLevelKeys(raw: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') {
      let j = i + 1;
      while (j < raw.length && raw[j] !== '"') j += raw[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(raw.slice(i, j + 1)) as string);
      expectKey = false;
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectKey = true;
  }
  return keys;
}

function duplicates(raw: string): string[] {
  const keys = topLevelKeys(raw);
  return keys.filter((k, i) => keys.indexOf(k) !== i);
}

// injects API faults into the simulator
it.skipIf(onRealCluster())(
  'failures are logged one readable line each, and the node still drains',
  async () => {
    const kube = world.kube;
    kube.faults.add({ path: `/api/v1/nodes/${world.nodeName}`, method: 'PATCH', status: 500, count: 1 });
    kube.faults.add({ path: /\/pods\/[^/]+\/eviction$/, method: 'POST', status: 503, count: 2 });
    kube.faults.add({
      path: /\/apis\/events\.k8s\.io\/v1\/namespaces\/[^/]+\/events$/,
      method: 'POST',
      status: 403,
      count: 1,
      message:
        'events.events.k8s.io is forbidden: User "system:serviceaccount:kube-system:spot-handler" cannot create resource "events" in API group "events.k8s.io" in the namespace "default"',
    });
    const daemon = await startDaemon({ env: world.daemonEnv({ IMDS_POLL_INTERVAL_MS: '200' }) });
    world.imds.failRequests({ status: 500, count: 3 });
    world.imds.setSpotAction(
      'terminate',
      new Date(Date.now() + 120_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    );
    await daemon.waitForLog((l) => l.msg === 'node drained', 20_000);

    const warn = daemon.logs.filter((l) => ['warn', 'error'].includes(String(l.level)));
    if (process.env['PRINT_LOG_SAMPLE']) console.log(warn.map((l) => l.raw).join('\n'));
    const msgs = warn.map((l) => l.msg);
    expect(msgs).toContain('IMDS request failed; backing off');
    expect(msgs).toContain('step failed; retrying');
    expect(msgs).toContain('could not create Kubernetes Event');
    for (const line of warn) {
      expect(duplicates(line.raw), line.raw).toEqual([]);
      expect(line.raw, 'no stack at warn').not.toContain('"stack"');
      expect(line.raw, 'no response body').not.toMatch(/Headers:|Body:|"body"/);
      expect(line.raw.length, line.raw).toBeLessThan(1200);
      expect(typeof line['next'], `what happens next: ${line.raw}`).toBe('string');
      const err = line['err'] as { message?: string } | undefined;
      if (err) expect(err.message?.split('\n')).toHaveLength(1);
    }
    // what failed: status and reason, the object
    const event = warn.find((l) => l.msg === 'could not create Kubernetes Event') as LogLine;
    expect((event['err'] as { message: string }).message).toMatch(
      /HTTP 403 Forbidden: .*cannot create resource "events"/,
    );
    expect(event['node']).toBe(world.nodeName);
    const step = warn.find((l) => l.msg === 'step failed; retrying') as LogLine;
    expect((step['err'] as { message: string }).message).toMatch(/HTTP 500/);
    expect(step['node']).toBe(world.nodeName);
    expect(step['next']).toMatch(/^retry in [\d.]+ s/);
    // no duplicated key anywhere, including the start-up line
    for (const line of daemon.logs) expect(duplicates(line.raw), line.raw).toEqual([]);
  },
);
