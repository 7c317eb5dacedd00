/**
 * Story: an ASG scales in a node whose pods are all held by a PodDisruptionBudget that allows no
 * disruption, and the hook's deadline is already near. A scale-in is not an emergency: the instance
 * waits for CompleteLifecycleAction, so the drain respects the PDB to the end and reports what blocked
 * it; no pod is ever force-deleted (a spot warning would delete them near its deadline).
 */
import { expect } from 'vitest';
import { startQueueDaemon, waitMetric, waitDeleted } from '../helpers/queue-daemon.js';

import { startTerminateHook, queueScenario, DB_BEHIND_PDB } from '../helpers/queue-scenario.js';
import { until } from '../helpers/queue-world.js';

queueScenario(
  'queue mode: ASG scale-in of a node with PDB-protected pods',
  { cluster: DB_BEHIND_PDB },
  (it) => {
    it('never force-deletes a PDB-protected pod; the drain ends blocked, naming the PDB', async ({
      world,
      target,
    }) => {
      // NTH users' setting: the drain gives up after NODE_TERMINATION_GRACE_PERIOD seconds
      const daemon = await startQueueDaemon(world, { NODE_TERMINATION_GRACE_PERIOD: '10' });
      const before = world.appPodsOn(target.name).map((p) => p.metadata.name);
      expect(before).toHaveLength(2);
      // the hook started 290 s ago: with the old urgent handling forcing would start at once
      const sentAt = Date.now() - 290_000;
      const { token, message } = startTerminateHook(world, target.instanceId, 300, sentAt);
      await world.send(message);

      const line = await daemon.waitForLog((l) => l.msg === 'drain did not finish', 40_000);
      expect(line['result']).toBe('blocked');
      expect(JSON.stringify(line['blockedBy'])).toContain('"pdb":"db"');
      const pods = world.appPodsOn(target.name);
      expect(pods.map((p) => p.metadata.name).sort()).toEqual([...before].sort());
      expect(pods.every((p) => p.metadata.deletionTimestamp === undefined)).toBe(true);
      expect(await daemon.metric('spot_handler_pods_deleted_at_deadline_total')).toBe(0);
      expect(
        await waitMetric(daemon, 'spot_handler_drains_total', { result: 'blocked' }, (v) => v >= 1),
      ).toBe(1);
      expect(world.node(target.name)?.spec?.['unschedulable']).toBe(true);
      // the hook's deadline has come: the instance goes anyway, so the ASG is let proceed, and the
      // message is done (the blocked drain was reported above)
      await until(() => world.aws.completed.length === 1, 10_000, 'CompleteLifecycleAction');
      expect(world.aws.completed[0]).toMatchObject({ token, result: 'CONTINUE' });
      expect(await waitDeleted(daemon, 'done', 1)).toBe(1);
    }, 90_000);
  },
);
