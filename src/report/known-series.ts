/**
 * Zeroes the series the alerts and dashboard panels read before anything happens. A counter series that
 * first appears at 1 has no increase in Prometheus' eyes, so without this the first blocked drain of a
 * pod's life would never fire SpotHandlerDrainBlocked; and a panel over an absent series says "No data"
 * where 0 is the truth. Only bounded, known label values (never node names or ids).
 */
import { IGNORE_REASONS, INVALID_REASONS } from '../events/interruption-event.js';
import type { Metrics } from './metrics.js';

/** Drain results (spot_handler_drains_total, spot_handler_drain_duration_seconds). */
export const DRAIN_RESULTS = ['succeeded', 'forced', 'blocked', 'timed_out', 'failed'] as const;
/** IMDS error reasons (spot_handler_imds_poll_errors_total). */
export const IMDS_ERROR_REASONS = ['http_5xx', 'timeout', 'malformed', 'unauthorized', 'network'] as const;
/** SQS operations (spot_handler_sqs_errors_total). */
export const SQS_OPERATIONS = ['receive', 'delete', 'change_visibility'] as const;

/** Sets every known series of the mode's metrics to 0 (counters stay as they are when already set). */
export function zeroKnownSeries(metrics: Metrics, mode: 'imds' | 'queue'): void {
  const source = mode === 'imds' ? 'imds' : 'sqs';
  for (const result of DRAIN_RESULTS) metrics.drains.inc({ result }, 0);
  for (const reason of IGNORE_REASONS) metrics.inputsIgnored.inc({ source, reason }, 0);
  for (const reason of INVALID_REASONS) metrics.inputsInvalid.inc({ source, reason }, 0);
  if (mode === 'imds') {
    for (const reason of IMDS_ERROR_REASONS) metrics.imdsPollErrors.inc({ reason }, 0);
    return;
  }
  for (const operation of SQS_OPERATIONS) metrics.sqsErrors.inc({ operation }, 0);
  for (const outcome of ['deleted', 'kept']) metrics.foreignInstances.inc({ outcome }, 0);
  for (const call of ['complete', 'heartbeat'])
    for (const result of ['success', 'error']) metrics.lifecycleActions.inc({ call, result }, 0);
}
