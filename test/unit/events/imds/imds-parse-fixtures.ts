import { readFileSync } from 'node:fs';
import type { ImdsParseContext } from '../../../../src/events/imds/imds-context.js';

/** A fixture body from test/fixtures/imds. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../../../fixtures/imds/${name}`, import.meta.url), 'utf8');
}

/** A parse context for table tests. */
export const CONTEXT: ImdsParseContext = {
  instanceId: 'i-0123456789abcdef0',
  nodeName: 'ip-10-0-0-1.ec2.internal',
  nowMs: Date.parse('2026-11-29T10:00:00Z'),
  region: 'us-east-1',
  availabilityZone: 'us-east-1a',
  instanceType: 'm5.large',
  scheduledLeadMs: 300_000,
  rebalanceHorizonMs: 1_800_000,
  asgTerminationHorizonMs: 120_000,
};

/** Bodies no parser may accept. */
export const GARBAGE: readonly [string, string][] = [
  ['empty', ''],
  ['html error page', '<html><head><title>500 Internal Server Error</title></head><body></body></html>'],
  ['truncated json', '{"action": "termin'],
  ['null', 'null'],
  ['number', '42'],
  ['string', '"terminate"'],
];
