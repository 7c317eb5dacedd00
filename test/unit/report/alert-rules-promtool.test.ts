/**
 * The chart's alert rules through Prometheus' own tool: `promtool check rules` parses every expression
 * and template, `promtool test rules` runs the unit tests in test/promtool/ (scripts/alert-rules.ts runs
 * both; .ci/checks too). The coverage checks below need no promtool: every alert has a test that fires
 * it, is silent before its `for:` has passed, and is silent on a healthy daemon.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  checkAlertRules,
  PROMTOOL_TESTS_DIR,
  promtoolTestFiles,
  renderRuleGroups,
} from '../../../scripts/alert-rules.js';

interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: unknown[];
}
interface TestCase {
  name: string;
  alert_rule_test: AlertTest[];
}

function promtoolVersion(): string | undefined {
  try {
    return execFileSync(process.env.PROMTOOL ?? 'promtool', ['--version'], { encoding: 'utf8' }).split(
      '\n',
    )[0];
  } catch {
    return undefined;
  }
}
const version = promtoolVersion();
const skipReason = 'promtool is not installed (Debian: apt-get install prometheus; .ci/checks does it)';
if (version === undefined) console.warn(`alert-rules-promtool: skipping promtool runs: ${skipReason}`);

const groups = await renderRuleGroups();
const alerts = groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);
const files = await promtoolTestFiles();
const cases = files.flatMap((f) =>
  (parse(readFileSync(join(PROMTOOL_TESTS_DIR, f), 'utf8')) as { tests: TestCase[] }).tests.map((t) => ({
    file: f,
    ...t,
  })),
);

/** Minutes of a promtool duration such as 90m or 2h. */
function minutes(d: string): number {
  const m = /^(\d+)([smh])$/.exec(d);
  if (!m) throw new Error(`unexpected duration ${d}`);
  return Number(m[1]) * ({ s: 1 / 60, m: 1, h: 60 } as const)[m[2] as 's' | 'm' | 'h'];
}

describe('promtool unit tests cover every alert', () => {
  it.each(alerts.map((a) => [a.alert ?? '', a] as const))('%s', (name, rule) => {
    const checks = cases.flatMap((c) =>
      c.alert_rule_test.filter((t) => t.alertname === name).map((t) => ({ c, t })),
    );
    const firing = checks.filter(({ t }) => t.exp_alerts.length > 0);
    expect(firing.length, `${name}: no test where it fires`).toBeGreaterThan(0);
    // silent on a healthy daemon
    expect(
      checks.some(({ c, t }) => c.file === 'healthy.test.yaml' && t.exp_alerts.length === 0),
      `${name}: not evaluated in healthy.test.yaml`,
    ).toBe(true);
    // silent in the firing story before the alert fires (and, with `for:`, while it is pending)
    for (const { c } of firing) {
      const evals = c.alert_rule_test.filter((t) => t.alertname === name);
      const firstFiring = Math.min(
        ...evals.filter((t) => t.exp_alerts.length > 0).map((t) => minutes(t.eval_time)),
      );
      const silentBefore = evals.filter(
        (t) => t.exp_alerts.length === 0 && minutes(t.eval_time) < firstFiring,
      );
      expect(silentBefore.length, `${c.name}: no silent evaluation before it fires`).toBeGreaterThan(0);
      if (rule.for !== undefined) {
        // a silent evaluation less than `for:` before the first firing one: the pending phase is tested
        const latestSilent = Math.max(...silentBefore.map((t) => minutes(t.eval_time)));
        expect(firstFiring - latestSilent, `${c.name}: pending phase of for: ${rule.for}`).toBeLessThan(
          minutes(rule.for),
        );
      }
    }
  });

  it('names only alerts that exist', () => {
    const names = new Set(alerts.map((a) => a.alert));
    for (const c of cases) for (const t of c.alert_rule_test) expect(names, c.name).toContain(t.alertname);
  });
});

describe.skipIf(version === undefined)(`promtool (${version ?? `skipped: ${skipReason}`})`, () => {
  it('checks the rendered rules and passes every unit test', async () => {
    const { check, test } = await checkAlertRules(groups);
    expect(check.ok, check.output).toBe(true);
    expect(check.output).toContain(`SUCCESS: ${groups.flatMap((g) => g.rules).length} rules found`);
    expect(test.ok, test.output).toBe(true);
    for (const f of files) expect(test.output).toContain(f);
  });

  it('fails a broken expression (the check can fail)', async () => {
    const broken = groups.map((g, i) =>
      i === 0 ? { ...g, rules: g.rules.map((r, j) => (j === 0 ? { ...r, expr: `${r.expr} )` } : r)) } : g,
    );
    const { check } = await checkAlertRules(broken);
    expect(check.ok).toBe(false);
  });

  it('fails a unit test when a for: is dropped', async () => {
    const noFor = groups.map((g) => ({
      ...g,
      rules: g.rules.map((r) => (r.alert === 'SpotHandlerSqsErrors' ? { ...r, for: '0s' } : r)),
    }));
    const { test } = await checkAlertRules(noFor);
    expect(test.ok).toBe(false);
    expect(test.output).toContain('SpotHandlerSqsErrors');
  });
});
