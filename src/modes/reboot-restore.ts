/**
 * After scheduled maintenance reboots the instance, IMDS may stop listing the event (no cancellation
 * ever arrives), so IMDS mode checks once at start-up: when the node still carries our maintenance marks
 * and the instance booted after the maintenance window began, the event is past, and the node is
 * uncordoned and our marks removed (NTH's uncordon-after-reboot, without its extra labels).
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { NodeActuator } from '../pipeline/node-actuator-port.js';

/** Seconds since boot from /proc/uptime (or UPTIME_FROM_FILE); undefined when unreadable. */
export async function uptimeSeconds(file: string): Promise<number | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    const first = Number.parseFloat(text.split(/\s+/)[0] ?? '');
    return Number.isFinite(first) && first >= 0 ? first : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Only a daemon that starts soon after boot checks (one GET): at other start-ups the instance has not
 * just rebooted, and IMDS mode makes no Kubernetes API request until a notice arrives.
 */
export const RECENT_BOOT_SECONDS = 600;

/** Restores the node when a maintenance event it was drained for is past; true when it did. */
export async function restoreAfterReboot(deps: {
  readonly actuator: Pick<NodeActuator, 'getNode' | 'unmark'>;
  readonly nodeName: string;
  readonly nowMs: number;
  readonly uptimeSeconds: number | undefined;
  readonly dryRun: boolean;
  readonly logger: Logger;
}): Promise<boolean> {
  const { actuator, nodeName, nowMs, logger } = deps;
  if (deps.uptimeSeconds === undefined || deps.uptimeSeconds > RECENT_BOOT_SECONDS) return false;
  const node = await actuator.getNode(nodeName);
  if (!node || node.kind !== 'scheduled-maintenance' || node.deadlineMs === undefined) return false;
  const bootedAtMs = nowMs - deps.uptimeSeconds * 1000;
  if (bootedAtMs < node.deadlineMs) return false;
  const fields = { node: nodeName, eventId: node.eventId, bootedAt: new Date(bootedAtMs).toISOString() };
  if (deps.dryRun) {
    logger.info(fields, 'dry run: would uncordon after the maintenance reboot');
    return true;
  }
  await actuator.unmark(nodeName);
  logger.info(fields, 'instance rebooted after the maintenance window began: node uncordoned');
  return true;
}
