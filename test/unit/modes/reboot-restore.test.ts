import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { restoreAfterReboot, uptimeSeconds } from '../../../src/modes/reboot-restore.js';
import { FakeNodeActuator } from '../../helpers/fake-node-actuator.js';

const NOT_BEFORE = Date.parse('2026-12-02T10:00:00Z');

function world(kind: 'scheduled-maintenance' | 'spot-interruption' = 'scheduled-maintenance') {
  const clock = new FakeClock(NOT_BEFORE + 3_600_000);
  const actuator = new FakeNodeActuator(clock);
  actuator.addNode('n1', 'i-0123456789abcdef0');
  Object.assign(actuator.nodes.get('n1')!, {
    kind,
    eventId: 'maint-instance-event-1',
    deadlineMs: NOT_BEFORE,
    phase: 'drained',
    unschedulable: true,
    cordonedByUs: true,
    taints: [`spot-handler/${kind}`],
  });
  return { clock, actuator };
}

const run = (w: ReturnType<typeof world>, up: number | undefined) =>
  restoreAfterReboot({
    actuator: w.actuator,
    nodeName: 'n1',
    nowMs: w.clock.now(),
    uptimeSeconds: up,
    dryRun: false,
    logger: pino({ level: 'silent' }),
  });

describe('restoreAfterReboot', () => {
  it('uncordons a node drained for maintenance when the instance booted after the window began', async () => {
    const w = world();
    await expect(run(w, 120)).resolves.toBe(true);
    expect(w.actuator.nodes.get('n1')).toMatchObject({ unschedulable: false, taints: [], phase: undefined });
  });

  it('leaves the node alone when the boot was before the window (the maintenance is still ahead)', async () => {
    const w = world();
    w.clock = new FakeClock(NOT_BEFORE + 60_000);
    await expect(run(w, 300)).resolves.toBe(false);
    expect(w.actuator.nodes.get('n1')?.unschedulable).toBe(true);
  });

  it('makes no API request unless the instance booted recently', async () => {
    const w = world();
    await expect(run(w, 7200)).resolves.toBe(false);
    expect(w.actuator.calls).toEqual([]);
  });

  it('does not touch nodes drained for other kinds', async () => {
    const w = world('spot-interruption');
    await expect(run(w, 120)).resolves.toBe(false);
    expect(w.actuator.nodes.get('n1')?.unschedulable).toBe(true);
  });

  it('reads the first field of an uptime file, and nothing from garbage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'uptime-'));
    writeFileSync(join(dir, 'ok'), '350.25 1000.10\n');
    writeFileSync(join(dir, 'bad'), 'garbage\n');
    await expect(uptimeSeconds(join(dir, 'ok'))).resolves.toBe(350.25);
    await expect(uptimeSeconds(join(dir, 'bad'))).resolves.toBeUndefined();
    await expect(uptimeSeconds(join(dir, 'missing'))).resolves.toBeUndefined();
  });
});
