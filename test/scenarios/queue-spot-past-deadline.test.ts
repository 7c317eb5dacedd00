/**
 * Story: a spot warning reaches the queue with seconds left; a PodDisruptionBudget blocks every eviction
 * and forcing is off (FORCE_AT_DEADLINE=false), so the drain gives up and the message is kept. When SQS
 * delivers it again the deadline has passed: it is acknowledged (deleted) without a second drain.
 */
import { expect } from 'vitest';
import { startQueueDaemon, waitDeleted } from '../helpers/queue-daemon.js';
import { spotWarning } from '../helpers/queue-messages.js';
import { queueScenario, DB_BEHIND_PDB } from '../helpers/queue-scenario.js';
import {} from '../helpers/queue-world.js';

queueScenario(
  'queue mode: a redelivered spot warning past its deadline',
  { cluster: DB_BEHIND_PDB },
  (it) => {
    it('is deleted without a second drain after the first drain gave up', async ({ world, target }) => {
      const daemon = await startQueueDaemon(world, {
        FORCE_AT_DEADLINE: 'false',
        NODE_TERMINATION_GRACE_PERIOD: '3',
      });
      // issued 116 s ago: the two-minute warning has 4 s left
      await world.send(spotWarning(target.instanceId, Date.now() - 116_000));

      await daemon.waitForLog((l) => l.msg === 'drain did not finish', 20_000);
      await daemon.waitForLog(
        (l) => l.msg === 'notice past its deadline after a failed drain: acknowledged without a second drain',
        45_000,
      );
      expect(await waitDeleted(daemon, 'ignored', 1)).toBe(1);
      expect(daemon.logsWith('drain did not finish')).toHaveLength(1);
      expect(world.appPodsOn(target.name)).toHaveLength(2);
      expect(world.node(target.name)?.metadata.labels?.['spot-handler/state']).toBe('drain-failed');
    }, 90_000);
  },
);
