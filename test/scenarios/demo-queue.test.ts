/**
 * Story: `spot-handler sandbox --mode queue` runs end to end: the real daemon in queue mode (a child
 * process) receives an EventBridge spot warning from fauxqs, drains the interrupted node of the 3-node
 * sandbox cluster and deletes the message; the printed timeline shows message sent, notice, taint, cordon,
 * every eviction, drained and message deleted in order, then the summary; exit code 0.
 */
import { describe, expect, it } from 'vitest';
import { runSandboxCommand } from '../../src/sandbox/demo.js';
import { runQueueDemo } from '../../src/sandbox/demo-queue.js';
import { expectDemoSummary, expectTimelineOrder, runDemo } from './demo-support.js';

describe('spot-handler sandbox --mode queue', () => {
  it('prints a timeline from the SQS message to drained and deleted, and exits 0', async () => {
    const { result, text } = await runDemo(runQueueDemo);
    expectTimelineOrder(
      result,
      [
        'SQS: EventBridge "EC2 Spot Instance Interruption Warning"',
        'notice seen: spot-interruption',
        'node tainted spot-handler/',
        'node cordoned (spec',
        'evicted (terminating',
        'node drained',
        'SQS: message deleted (reason done)',
      ],
      text,
    );
    expectDemoSummary(result, text);
    expect(text).toMatch(/queue now: 0 visible, 0 in flight/);
    expect(text).toMatch(/daemon ready and leading after .* \(queue mode/);
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
