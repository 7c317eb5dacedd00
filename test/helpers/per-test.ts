/**
 * Per-test worlds for the IMDS scenarios and fault tests: each helper starts its thing before every test
 * of the file, hands it to the file (`keep`), and after the test kills every daemon it started before
 * stopping the thing (so no daemon outlives what it talks to). `stoppedAfterEach` does the same for
 * things a test starts itself.
 */
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/sandbox/demo-webhook.js';
import type { WorldOptions } from '../../src/sandbox/demo-world.js';
import { stopAllDaemons, testBundle } from './daemon.js';
import { startSandboxWorldOnKubeEnv, type WorldOnKubeEnv } from './kube-env.js';

/** Starts `start()` before each test and stops it after the test's daemons. */
export function perTest<T extends { stop(): Promise<void> }>(
  start: () => Promise<T>,
  keep: (t: T) => void,
): void {
  let current: T | undefined;
  beforeEach(async () => {
    current = await start();
    keep(current);
  });
  afterEach(async () => {
    await stopAllDaemons();
    await current?.stop();
    current = undefined;
  });
}

/** The sandbox world (IMDS mode) on kube-env for each test: `options` say what the cluster holds. */
export function imdsWorldPerTest(
  options: Omit<WorldOptions, 'kube'>,
  keep: (world: WorldOnKubeEnv) => void,
): void {
  perTest(() => startSandboxWorldOnKubeEnv(options), keep);
}

/** A webhook receiver for each test. */
export function webhookReceiverPerTest(keep: (receiver: WebhookReceiver) => void): void {
  perTest(startWebhookReceiver, keep);
}

/**
 * For tests that start their own worlds: returns `track`, which hands back what it is given and stops
 * it after the test (after every daemon; the last tracked first).
 */
export function stoppedAfterEach(): <T extends { stop(): Promise<void> }>(thing: T) => T {
  const started: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    await stopAllDaemons();
    for (const thing of started.splice(0).reverse()) await thing.stop();
  });
  return (thing) => {
    started.push(thing);
    return thing;
  };
}

/** Builds the daemon's test bundle once before the file's tests, outside the first test's time budget. */
export function buildBundleBeforeAll(): void {
  // slow on a loaded machine: 120 s
  beforeAll(() => testBundle().then(() => undefined), 120_000);
}
