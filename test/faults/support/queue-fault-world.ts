/** Queue-mode fault set-up: a queue world with an SQS fault proxy, figures read back from the daemon. */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Daemon } from '../../helpers/daemon.js';
import type { QueueWorld } from '../../helpers/queue-world.js';
import type { FaultFigures } from './fault-record.js';
import type { SqsFaultProxy } from './sqs-fault-proxy.js';

/** Daemon env for queue mode through the proxy. */
export function queueFaultEnv(
  world: QueueWorld,
  proxy: SqsFaultProxy,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return world.daemonEnv({ AWS_ENDPOINT_URL_SQS: proxy.endpoint, ...extra });
}

/** Sends bodies in batches of ten (direct to fauxqs). */
export async function sendBatch(world: QueueWorld, bodies: readonly string[]): Promise<void> {
  const client = world.sqs.createClient();
  try {
    for (let i = 0; i < bodies.length; i += 10) {
      const entries = bodies.slice(i, i + 10).map((b, j) => ({ Id: `m${i + j}`, MessageBody: b }));
      await client.send(new SendMessageBatchCommand({ QueueUrl: world.sqs.queueUrl, Entries: entries }));
    }
  } finally {
    client.destroy();
  }
}

/** Polls `check` (async) every 100 ms until true. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Messages left in the queue (visible + in flight + delayed). */
export async function queueDepth(world: QueueWorld): Promise<number> {
  const c = await world.sqs.counts();
  return c.visible + c.inFlight + c.delayed;
}

/** Sent/deleted/lost and drain figures from the daemons' metrics and logs. */
export async function queueFigures(
  world: QueueWorld,
  daemons: readonly Daemon[],
  sent: number,
): Promise<FaultFigures> {
  let deleted = 0;
  let drainsStarted = 0;
  let drainsCompleted = 0;
  for (const d of daemons) {
    drainsStarted += d.logsWith('drain started').length;
    drainsCompleted += d.logsWith('node drained').length;
    deleted += await d.metric('spot_handler_sqs_messages_deleted_total').catch(() => 0);
  }
  const depth = await queueDepth(world);
  return {
    messagesSent: sent,
    messagesDeleted: deleted,
    messagesLost: sent - deleted - depth,
    drainsStarted,
    drainsCompleted,
  };
}
