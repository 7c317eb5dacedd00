/**
 * Story: `spot-handler sandbox --mode queue` runs end to end: the real daemon in queue mode (a child
 * process) receives an EventBridge spot warning from fauxqs, drains the interrupted node of the 3-node
 * sandbox cluster and deletes the message; the printed timeline shows message sent, notice, taint, cordon,
 * every eviction, drained and message deleted in order, then the summary; exit code 0.
 */
import { describe, expect, it } from 'vitest';
import { runSandboxCommand } from '../../src/sandbox/demo.js';
import { runQueueDemo } from '../../src/sandbox/demo-queue.js';
import { testBundle } from '../helpers/daemon.js';

describe('spot-handler sandbox --mode queue', () => {
  it('prints a timeline from the SQS message to drained and deleted, and exits 0', async () => {
    const lines: string[] = [];
    const bundle = await testBundle();
    const result = await runQueueDemo({
      out: (t) => lines.push(t),
      entry: [bundle],
      baseEnv: { PATH: process.env.PATH ?? '' },
      noticeAfterMs: 300,
    });
    const text = lines.join('');
    expect(result.code, text).toBe(0);
    const order = [
      'SQS: EventBridge "EC2 Spot Instance Interruption Warning"',
      'notice seen: spot-interruption',
      'node tainted spot-handler/',
      'node cordoned (spec',
      'evicted (terminating',
      'node drained',
      'SQS: message deleted (reason done)',
    ];
    const at = order.map((needle) => result.timeline.findIndex((e) => e.text.includes(needle)));
    expect(
      at.every((i) => i >= 0),
      text,
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // five application pods on the interrupted node (web×2, api×2, worker×1), the DaemonSet pod stays
    expect(result.podsEvicted).toBe(5);
    expect(text).toMatch(/pods evicted: 5, application pods left on the node: 0/);
    expect(text).toMatch(/DaemonSet pods left in place: 1/);
    expect(text).toMatch(/queue now: 0 visible, 0 in flight/);
    // it ends with the numbers an operator graphs, read from the daemon's /metrics
    expect(text).toMatch(/metrics \(the daemon's own http:\/\/127\.0\.0\.1:\d+\/metrics\)/);
    expect(text).toMatch(/spot_handler_actions_total \(action result\): .*cordon success 1/);
    expect(text).toMatch(/spot_handler_drains_total \(result\): succeeded 1/);
    expect(text).toMatch(/spot_handler_drain_duration_seconds: 1 drain\(s\), mean \d+\.\d\d s/);
    expect(text).toMatch(/spot_handler_pods_evicted_total: 5, pods_deleted_at_deadline_total: 0/);
    expect(text.trimEnd().split('\n').pop()).toMatch(/pods_blocked_by_pdb_total: \d+$/);
    expect(text).toMatch(/daemon ready and leading after .* \(queue mode/);
    expect(result.drainedAfterMs).toBeLessThan(15_000);
  });

  it('--mode queue refuses to spawn something that is not spot-handler', async () => {
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), entry: ['/x/vitest.mjs'], baseEnv: {} };
    expect(await runSandboxCommand(['--mode', 'queue'], io)).toBe(1);
    expect(await runSandboxCommand(['--mode=queue'], io)).toBe(1);
    expect(lines.join('')).toMatch(/is not the spot-handler entry/);
    expect(lines.join('')).not.toMatch(/arrives later/);
  });
});
