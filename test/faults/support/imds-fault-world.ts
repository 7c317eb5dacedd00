/** Shared set-up of the IMDS fault tests: a sandbox world, the daemon's env, the "drained once" check. */
import { expect } from 'vitest';
import type { SandboxWorld } from '../../../src/sandbox/demo-world.js';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import type { WorldOnKubeEnv } from '../../helpers/kube-env.js';
import { buildBundleBeforeAll, imdsWorldPerTest } from '../../helpers/per-test.js';
import { faultRecord, type FaultRecord } from './fault-record.js';

/** The IMDS fault world for each test of the file (`web`×4, 100 ms shutdowns), the bundle built first. */
export function imdsFaultWorldPerTest(keep: (world: WorldOnKubeEnv) => void): void {
  buildBundleBeforeAll();
  imdsWorldPerTest({ deployments: [{ name: 'web', replicas: 4, shutdownMs: 100 }] }, keep);
}

/** Opens the fault's record (`fault` says what is injected) and starts the daemon with `imdsFaultEnv`. */
export async function startImdsFault(
  world: SandboxWorld,
  fault: string,
): Promise<{ rec: FaultRecord; daemon: Daemon }> {
  const rec = faultRecord('imds', fault);
  return { rec, daemon: await startDaemon({ env: imdsFaultEnv(world) }) };
}

/** Daemon environment: fast polls, a short IMDS timeout. */
export function imdsFaultEnv(world: SandboxWorld): Record<string, string> {
  return world.daemonEnv({ IMDS_POLL_INTERVAL_MS: '100', IMDS_TIMEOUT_MS: '400' });
}

/** Serves a spot notice with this deadline. */
export function setSpotNotice(world: SandboxWorld, deadlineMs: number): void {
  world.imds.setSpotAction('terminate', new Date(deadlineMs).toISOString().replace(/\.\d+Z$/, 'Z'));
}

/** Waits for the drain, asserts it happened once and before the deadline, fills the figures, stops. */
export async function expectDrainedOnce(
  world: SandboxWorld,
  daemon: Daemon,
  rec: FaultRecord,
  noticeAt: number,
  deadlineMs: number,
): Promise<void> {
  await daemon.waitForLog((l) => l.msg === 'node drained', 20_000);
  const drainedAt = Date.now();
  expect(drainedAt).toBeLessThan(deadlineMs);
  expect(world.podsOn(world.nodeName).filter((p) => p.metadata.namespace === world.namespace)).toEqual([]);
  expect(daemon.logsWith('drain started')).toHaveLength(1);
  expect(daemon.logsWith('node drained')).toHaveLength(1);
  expect(await daemon.metric('spot_handler_drains_total', { result: 'succeeded' })).toBe(1);
  const taints = (world.node(world.nodeName)?.spec?.['taints'] ?? []) as { key: string }[];
  expect(taints.filter((t) => t.key.startsWith('spot-handler/'))).toHaveLength(1);
  Object.assign(rec.figures, {
    drainsStarted: daemon.logsWith('drain started').length,
    drainsCompleted: daemon.logsWith('node drained').length,
    duplicates: 0,
    noticeToDrainedMs: drainedAt - noticeAt,
    slackMs: deadlineMs - drainedAt,
  });
  const exit = await daemon.stop();
  expect(exit.code).toBe(0);
}
