import { describe, expect, it } from 'vitest';
import { DrainUsageError, parseDrainFlags, parseDurationMs } from '../../../src/commands/drain-flags.js';
import { drainOptions, UNBOUNDED_MS } from '../../../src/commands/drain-command.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const parse = (argv: string[], env: Record<string, string> = {}) => parseDrainFlags(argv, env, NOW);

describe('parseDurationMs', () => {
  it.each([
    ['0', 0],
    ['90s', 90_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['2h', 7_200_000],
    ['1.5s', 1500],
    ['90', undefined],
    ['1x', undefined],
    ['s', undefined],
    ['1m 2s', undefined],
  ])('%s → %s', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });
});

describe('parseDrainFlags (kubectl drain flags)', () => {
  it('defaults like kubectl: nothing ignored, own grace periods, no timeout', () => {
    expect(parse(['n1'])).toEqual({
      node: 'n1',
      ignoreDaemonSets: false,
      deleteEmptyDirData: false,
      force: false,
      gracePeriodSeconds: -1,
      dryRun: false,
      logLevel: 'error',
    });
  });

  it('reads every flag in both spellings (--f=v and --f v)', () => {
    expect(
      parse([
        '--ignore-daemonsets',
        'n1',
        '--delete-emptydir-data=true',
        '--force',
        '--grace-period',
        '10',
        '--timeout=5m',
        '--pod-selector=app in (a,b)',
        '--dry-run=server',
        '--deadline=2m',
        '--kubeconfig',
        '/k',
        '--log-level=warn',
      ]),
    ).toEqual({
      node: 'n1',
      ignoreDaemonSets: true,
      deleteEmptyDirData: true,
      force: true,
      gracePeriodSeconds: 10,
      timeoutMs: 300_000,
      podSelector: 'app in (a,b)',
      dryRun: true,
      deadlineMs: NOW + 120_000,
      kubeconfigPath: '/k',
      logLevel: 'warn',
    });
  });

  it('an absolute --deadline, KUBECONFIG from the environment, --timeout=0 means none', () => {
    const flags = parse(['n1', '--deadline=2026-12-07T12:05:00Z', '--timeout=0'], { KUBECONFIG: '/env/k' });
    expect(flags.deadlineMs).toBe(NOW + 300_000);
    expect(flags.kubeconfigPath).toBe('/env/k');
    expect(flags.timeoutMs).toBeUndefined();
    expect(parse(['n1'], { KUBECONFIG: '/a:/b' }).kubeconfigPath).toBeUndefined();
    expect(parse(['n1', '--dry-run=none']).dryRun).toBe(false);
  });

  it.each([
    [[], 'NODE is required'],
    [['a', 'b'], 'one NODE only'],
    [['n1', '--selector=x'], 'unknown flag --selector'],
    [['n1', '--grace-period=-2'], '--grace-period'],
    [['n1', '--grace-period=soon'], '--grace-period'],
    [['n1', '--timeout=5'], '--timeout'],
    [['n1', '--dry-run=maybe'], '--dry-run'],
    [['n1', '--force=yes'], '--force'],
    [['n1', '--deadline=tomorrow'], '--deadline'],
    [['n1', '--log-level=loud'], '--log-level'],
    [['n1', '--timeout'], '--timeout needs a value'],
  ])('%j → usage error naming %s', (argv, text) => {
    expect(() => parse(argv)).toThrow(DrainUsageError);
    expect(() => parse(argv)).toThrow(text);
  });
});

describe('drainOptions', () => {
  it('maps the flags onto the engine; never forces (manual drains respect PDBs to the end)', () => {
    const options = drainOptions(parse(['n1', '--force', '--grace-period=5', '--timeout=90s']), NOW);
    expect(options).toMatchObject({
      evictUnmanagedPods: true,
      ignoreDaemonSets: false,
      deleteEmptyDirData: false,
      podGracePeriodOverrideSeconds: 5,
      drainTimeoutMs: 90_000,
      forceAtDeadline: false,
    });
  });

  it('the drain ends at the deadline when it comes before the timeout; no timeout stays timer-safe', () => {
    expect(drainOptions(parse(['n1', '--deadline=30s', '--timeout=5m']), NOW).drainTimeoutMs).toBe(30_000);
    expect(drainOptions(parse(['n1']), NOW).drainTimeoutMs).toBe(UNBOUNDED_MS);
    expect(UNBOUNDED_MS).toBeLessThan(2 ** 31 - 1);
  });
});
