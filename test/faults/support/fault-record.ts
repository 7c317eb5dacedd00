/**
 * Fault-suite figures: each fault test fills a `FaultRecord` and, when the test ends, one JSON line is
 * appended to the file named by SPOT_HANDLER_FAULT_REPORT (nothing is written when it is unset).
 * scripts/reliability-report.ts turns those lines into docs/reliability.md.
 */
import { appendFileSync } from 'node:fs';
import { onTestFinished } from 'vitest';

/** Counts a fault test reports (absent = not applicable). */
export interface FaultFigures {
  messagesSent?: number;
  messagesDeleted?: number;
  messagesLost?: number;
  drainsStarted?: number;
  drainsCompleted?: number;
  duplicates?: number;
  hooksCompleted?: number;
  faultsInjected?: number;
  /** Notice (or message) to node drained, ms. */
  noticeToDrainedMs?: number;
  /** Time left before the deadline when the node was drained, ms. */
  slackMs?: number;
}

/** One line of the report. */
export interface FaultRecord {
  readonly area: 'imds' | 'kube-api' | 'sqs' | 'process';
  readonly fault: string;
  /** What the daemon did, in a few words (set by the test once it has seen it). */
  outcome: string;
  readonly figures: FaultFigures;
}

/** The line written for one finished test. */
export interface FaultLine extends Omit<FaultRecord, 'figures'> {
  readonly figures: FaultFigures;
  readonly result: string;
  readonly durationMs: number;
}

/** Environment variable naming the JSON-lines file. */
export const FAULT_REPORT_ENV = 'SPOT_HANDLER_FAULT_REPORT';

/** Starts the record of the current test; its line is written when the test finishes (pass or fail). */
export function faultRecord(area: FaultRecord['area'], fault: string): FaultRecord {
  const record: FaultRecord = { area, fault, outcome: '', figures: {} };
  const startedAt = Date.now();
  onTestFinished((ctx) => {
    const file = process.env[FAULT_REPORT_ENV];
    if (!file) return;
    const state = ctx.task.result?.state ?? 'unknown';
    const line: FaultLine = {
      ...record,
      outcome: state === 'pass' ? record.outcome : `FAILED: ${record.outcome || 'see test output'}`,
      result: state,
      durationMs: Date.now() - startedAt,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  });
  return record;
}
