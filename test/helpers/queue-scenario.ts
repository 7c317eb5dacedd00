/**
 * The one way a queue-mode scenario builds its world: `queueScenario(title, options, (it) => …)` is a
 * describe block whose `it` gives each test fixtures, each made only when the test names it and stopped after the test:
 * `world` (a queue world: test/helpers/queue-world.ts), `daemon` (a queue-mode daemon with the world's
 * environment, leading), `target` (the node the story interrupts), `hooks` (a webhook receiver) and `proxy` (a faulty proxy in front of the
 * world's SQS endpoint). Every daemon a test started is killed before anything it talks to stops.
 */
import { describe, test, type TestAPI } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/sandbox/demo-webhook.js';
import { stopAllDaemons, type Daemon } from './daemon.js';
import { startQueueDaemon, TEST_WEBHOOK_TEMPLATE } from './queue-daemon.js';
import { startFaultyProxy, type FaultyProxy } from './queue-faulty-proxy.js';
import type { PlannedNode } from '../../src/sandbox/kube-api/cluster-plan.js';
import { asgLifecycle } from './queue-messages.js';
import {
  ASG_NAME,
  nodeAt,
  startQueueWorld,
  type QueueCluster,
  type QueueWorldOptions,
  type QueueWorld,
} from './queue-world.js';

/** What a queue scenario's tests may ask for. */
export interface QueueScenarioFixtures {
  readonly world: QueueWorld;
  readonly daemon: Daemon;
  /** The node the story interrupts (`targetNode` of the options; default the first). */
  readonly target: PlannedNode;
  readonly hooks: WebhookReceiver;
  readonly proxy: FaultyProxy;
}

/** What to build: the queue world, and which of its nodes is the story's `target`. */
export interface QueueScenarioOptions extends QueueWorldOptions {
  readonly targetNode?: number;
  /** Timeout of each test of the block (default: the config's). */
  readonly timeoutMs?: number;
}

/** A describe block of queue-mode stories; its `it` builds a world with `options` for each test. */
export function queueScenario(
  title: string,
  options: QueueScenarioOptions,
  stories: (it: TestAPI<QueueScenarioFixtures>) => void,
): void {
  const timeout = options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {};
  describe(title, timeout, () => stories(queueIt(options)));
}

function queueIt(options: QueueScenarioOptions): TestAPI<QueueScenarioFixtures> {
  return test.extend<QueueScenarioFixtures>({
    world: async ({}, use) => {
      const world = await startQueueWorld(options);
      try {
        await use(world);
      } finally {
        await stopAllDaemons();
        await world.stop();
      }
    },
    daemon: async ({ world }, use) => use(await startQueueDaemon(world)),
    target: async ({ world }, use) => use(nodeAt(world, options.targetNode ?? 0)),
    hooks: async ({}, use) => {
      const hooks = await startWebhookReceiver();
      try {
        await use(hooks);
      } finally {
        await stopAllDaemons();
        await hooks.stop();
      }
    },
    proxy: async ({ world }, use) => {
      const proxy = await startFaultyProxy(world.sqs.endpoint);
      try {
        await use(proxy);
      } finally {
        await stopAllDaemons();
        await proxy.stop();
      }
    },
  });
}

/** Daemon environment sending every webhook to the receiver with the template the scenarios read back. */
export function webhookEnv(hooks: WebhookReceiver): Record<string, string> {
  return { WEBHOOK_URL: `${hooks.url}/hook`, WEBHOOK_TEMPLATE: TEST_WEBHOOK_TEMPLATE };
}

/** Two nodes; `db`×2 on the first behind a PDB that lets none go (minAvailable 2). */
export const DB_BEHIND_PDB: QueueCluster = {
  nodes: 2,
  apps: [{ name: 'db', replicas: 2, onNodes: [0], shutdownMs: 50, graceSeconds: 5 }],
  pdbs: [{ name: 'db', app: 'db', minAvailable: 2 }],
};

/** The terminate lifecycle hook of the stories. */
export const DRAIN_HOOK = 'node-drain';

/**
 * Registers the `node-drain` terminate hook on the world's group (with this HeartbeatTimeout) and starts
 * its lifecycle action for `instanceId`: returns the action's token and the EventBridge message that
 * announces it (event time `atMs`), for the story to send when it wants.
 */
export function startTerminateHook(
  world: QueueWorld,
  instanceId: string,
  heartbeatTimeoutSeconds: number,
  atMs = Date.now(),
): { token: string; message: ReturnType<typeof asgLifecycle> } {
  world.aws.setHook({ groupName: ASG_NAME, hookName: DRAIN_HOOK, heartbeatTimeoutSeconds });
  const token = world.aws.startLifecycleAction(instanceId, DRAIN_HOOK);
  const hook = { groupName: ASG_NAME, hookName: DRAIN_HOOK, token };
  return { token, message: asgLifecycle(instanceId, hook, 'terminate', atMs) };
}
