import { describe, expect, it } from 'vitest';
import {
  globalTimeoutSeconds,
  hookDeadline,
  shouldDrainAgain,
  type HookDeadlineInput,
} from '../../../src/actions/asg-hook-deadline.js';

const START = Date.UTC(2026, 0, 1);
const S = 1000;

function input(over: Partial<HookDeadlineInput>): HookDeadlineInput {
  return {
    startedAtMs: START,
    noticedAtMs: START + 5 * S,
    hook: { heartbeatTimeoutSeconds: 300 },
    fallbackTimeoutSeconds: 300,
    heartbeats: true,
    heartbeatIntervalSeconds: -1,
    heartbeatUntilSeconds: -1,
    ...over,
  };
}

describe('globalTimeoutSeconds', () => {
  it.each([
    [{ heartbeatTimeoutSeconds: 300 }, 30_000],
    [{ heartbeatTimeoutSeconds: 3600 }, 172_800],
    [{ heartbeatTimeoutSeconds: 300, globalTimeoutSeconds: 7200 }, 7200],
    [{ heartbeatTimeoutSeconds: 30, globalTimeoutSeconds: 172_800 }, 3000],
  ])('%j → %i s', (hook, expected) => {
    expect(globalTimeoutSeconds(hook)).toBe(expected);
  });
});

describe('hookDeadline', () => {
  it.each<[string, Partial<HookDeadlineInput>, number, string]>([
    ['hook unknown: start + the assumed timeout', { hook: undefined }, 300, 'assumed'],
    ['heartbeats hold it to 100 × HeartbeatTimeout', {}, 30_000, 'heartbeats'],
    ['… but never past 48 h', { hook: { heartbeatTimeoutSeconds: 3600 } }, 172_800, 'heartbeats'],
    [
      '… nor past the GlobalTimeout AWS reports',
      { hook: { heartbeatTimeoutSeconds: 300, globalTimeoutSeconds: 7200 } },
      7200,
      'heartbeats',
    ],
    ['no heartbeats (dry run): HeartbeatTimeout after the start', { heartbeats: false }, 300, 'hook'],
    ['an interval that does not beat the timeout', { heartbeatIntervalSeconds: 600 }, 300, 'hook'],
    [
      'a notice so late that the first heartbeat would come after expiry',
      { noticedAtMs: START + 290 * S },
      300,
      'hook',
    ],
    [
      'HEARTBEAT_UNTIL: HeartbeatTimeout after the last heartbeat it allows',
      { noticedAtMs: START, heartbeatIntervalSeconds: 60, heartbeatUntilSeconds: 600 },
      540 + 300,
      'heartbeats',
    ],
    [
      'HEARTBEAT_UNTIL past the global timeout: the global timeout',
      { heartbeatIntervalSeconds: 60, heartbeatUntilSeconds: 172_800 },
      30_000,
      'heartbeats',
    ],
  ])('%s', (_name, over, seconds, basis) => {
    expect(hookDeadline(input(over))).toEqual({ deadlineMs: START + seconds * S, basis });
  });
});

describe('shouldDrainAgain', () => {
  const base = { nowMs: 0, deadlineMs: 600 * S, drainTimeoutMs: 120 * S, retryDelayMs: 15 * S };
  it.each<[string, Parameters<typeof shouldDrainAgain>[0], boolean]>([
    ['blocked with room for another attempt', { ...base, result: 'blocked' }, true],
    ['timed out with room', { ...base, result: 'timed_out' }, true],
    [
      'blocked, next attempt would end after the deadline',
      { ...base, result: 'blocked', nowMs: 470 * S },
      false,
    ],
    ['blocked, attempt ends exactly at the deadline', { ...base, result: 'blocked', nowMs: 465 * S }, true],
    ['succeeded', { ...base, result: 'succeeded' }, false],
    ['forced', { ...base, result: 'forced' }, false],
    ['failed (refused or API error)', { ...base, result: 'failed' }, false],
  ])('%s → %s', (_name, input, expected) => {
    expect(shouldDrainAgain(input)).toBe(expected);
  });
});
