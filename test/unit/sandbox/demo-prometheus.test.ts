/** The pure parts of `npm run demo -- --prometheus`, and its plain message when Prometheus is missing. */
import { describe, expect, it } from 'vitest';
import { alertLines, scaleForDurations, startDemoPrometheus } from '../../../src/sandbox/demo-prometheus.js';

describe('scaleForDurations', () => {
  it.each([
    ['        for: 15m', 60, '        for: 15s'],
    ['        for: 1h', 60, '        for: 60s'],
    ['        for: 30s', 60, '        for: 1s'],
    ['        for: 2d', 60, '        for: 2880s'],
    ['        expr: rate(x[15m]) > 0', 60, '        expr: rate(x[15m]) > 0'],
  ])('%j ÷ %d → %j', (line, factor, want) => {
    expect(scaleForDurations(`${line}\n`, factor)).toBe(`${want}\n`);
  });
});

describe('alertLines', () => {
  it('names firing and pending alerts once each, and what fired during the demo', () => {
    const a = (alertname: string, state: string) => ({ labels: { alertname }, state });
    expect(
      alertLines([a('B', 'firing'), a('A', 'firing'), a('A', 'firing'), a('C', 'pending')], ['A']),
    ).toEqual(['  firing now: A, B', '  pending now: C', '  fired at any time during the demo: A']);
    expect(alertLines([], [])).toEqual([
      '  firing now: none',
      '  pending now: none',
      '  fired at any time during the demo: none',
    ]);
  });
});

describe('startDemoPrometheus', () => {
  it('says plainly that Prometheus is missing and carries on without it', async () => {
    const lines: string[] = [];
    const prom = await startDemoPrometheus({
      target: '127.0.0.1:1',
      out: (t) => lines.push(t),
      binary: '/nonexistent/prometheus',
    });
    expect(prom).toBeUndefined();
    expect(lines.join('')).toBe(
      '--prometheus: /nonexistent/prometheus is not installed (Debian: apt-get install prometheus); carrying on without it\n',
    );
  });
});
