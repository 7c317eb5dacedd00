/* 10,000 loadConfig runs take ~10 s of CPU: part of the long fault suite (npm run test:faults). */
/**
 * Property-based fuzzing of loadConfig: argv arrays and env maps built from the real option names (and
 * their NTH aliases) with arbitrary values. It returns a deeply frozen config or throws ConfigError,
 * nothing else, and no secret value reaches a problem or a warning.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Env } from '../../src/config/load-config.js';
import { IGNORED_NTH_OPTIONS, allOptions } from '../../src/config/schema.js';
import { ConfigError } from '../../src/errors.js';
import { RUNS } from './fuzz-support.js';

const OPTIONS = allOptions();
const FLAGS = [
  ...OPTIONS.flatMap((o) => [o.flag, ...(o.aliases ?? []).map((a) => a.flag)]),
  ...IGNORED_NTH_OPTIONS.map((o) => o.flag),
].filter((f): f is string => f !== undefined);
const ENVS = [
  ...OPTIONS.flatMap((o) => [o.env, ...(o.aliases ?? []).map((a) => a.env)]),
  ...IGNORED_NTH_OPTIONS.map((o) => o.env),
  'HTTPS_PROXY',
  'NO_PROXY',
  'AWS_DEFAULT_REGION',
].filter((e): e is string => e !== undefined);
const SECRET_ENVS = OPTIONS.filter((o) => o.secret).map((o) => o.env);
const SECRET_FLAGS = OPTIONS.filter((o) => o.secret).flatMap((o) => (o.flag ? [o.flag] : []));

/** Marks every secret value so a leak is easy to find in messages. */
const MARK = 'S3KR1T';

/** Values that are valid for some option, near-valid for others, or junk. */
const value: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'true',
    'false',
    '0',
    '-1',
    '1',
    '65536',
    '1e3',
    '0x10',
    ' 5 ',
    '',
    'NoExecute',
    'json',
    'debug',
    'https://sqs.us-east-1.amazonaws.com/123456789012/q',
    'http://127.0.0.1:1',
    'https://hooks.example.com/T000/x',
    '{"Authorization":"Bearer x"}',
    '{"a":1}',
    '[]',
    'a=b,c',
    'start,success',
    '/nonexistent/file',
    'us-east-1',
  ),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.integer({ min: -100_000, max: 100_000 }).map(String),
);

const withMark = (name: string, raw: string): string =>
  SECRET_ENVS.includes(name) || SECRET_FLAGS.includes(name) ? `${MARK}${raw}` : raw;

/** One argv element (or two) in every form the parser accepts, and some it does not. */
const argvItem: fc.Arbitrary<string[]> = fc.oneof(
  {
    arbitrary: fc.tuple(fc.constantFrom(...FLAGS), value).map(([f, v]) => [`${f}=${withMark(f, v)}`]),
    weight: 4,
  },
  { arbitrary: fc.tuple(fc.constantFrom(...FLAGS), value).map(([f, v]) => [f, withMark(f, v)]), weight: 4 },
  { arbitrary: fc.constantFrom(...FLAGS).map((f) => [f]), weight: 2 },
  { arbitrary: fc.constantFrom(...FLAGS).map((f) => [f.replace(/^--/, '--no-')]), weight: 2 },
  // rare: each unknown word costs an edit-distance pass over every flag name ("did you mean")
  { arbitrary: fc.string({ unit: 'binary', maxLength: 16 }).map((s) => [s]), weight: 1 },
);
const argv = fc.array(argvItem, { maxLength: 6 }).map((items) => items.flat());
const env: fc.Arbitrary<Env> = fc
  .array(fc.tuple(fc.constantFrom(...ENVS), value), { maxLength: 8 })
  .map((pairs) => Object.fromEntries(pairs.map(([k, v]) => [k, withMark(k, v)])));

/** A readFile that never touches the disk: some paths hold a URL or text, the rest do not exist. */
function readFile(path: string): string {
  if (path.includes('url')) return `${MARK}https://hooks.example.com/file`;
  if (path.length % 2 === 0) return `${MARK}{{ .InstanceID }}`;
  throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
}

function deeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(deeplyFrozen);
}

/** Problems with one loadConfig call (empty when it kept its contract). */
function loadProblems(mode: 'imds' | 'queue', args: string[], vars: Env): string[] {
  try {
    const { config, warnings } = loadConfig(mode, args, vars, { readFile });
    const out: string[] = [];
    if (!deeplyFrozen(config)) out.push('config is not deeply frozen');
    if (config.mode !== mode) out.push(`mode ${config.mode}`);
    if (warnings.some((w) => w.includes(MARK))) out.push(`secret in a warning: ${warnings.join(' | ')}`);
    return out;
  } catch (err) {
    if (!(err instanceof ConfigError)) return [`threw ${String(err)}`];
    if (err.problems.length === 0) return ['ConfigError without problems'];
    if (err.message.includes(MARK)) return [`secret in a problem: ${err.message}`];
    return [];
  }
}

describe('loadConfig under fuzzing', () => {
  // 10,000 inputs in all, as two tests so each stays inside the per-test timeout on a loaded machine
  it.each(['imds', 'queue'] as const)(
    '%s mode: a deeply frozen config or ConfigError, never a secret echoed (5,000 inputs)',
    (mode) => {
      fc.assert(
        fc.property(argv, env, (args, vars) => {
          const problems = loadProblems(mode, args, vars);
          if (problems.length > 0)
            throw new Error(`${problems.join('; ')} for ${JSON.stringify([args, vars])}`);
        }),
        { numRuns: RUNS / 2 },
      );
    },
  );

  it('accepts a valid base config, so the fuzzing reaches the success path too', () => {
    const base = { NODE_NAME: 'n1', QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/q' };
    expect(loadProblems('imds', [], base)).toEqual([]);
    expect(loadProblems('queue', ['--webhook-url', `https://hooks.example.com/${MARK}`], base)).toEqual([]);
    expect(() => loadConfig('imds', ['--webhook-url', `${MARK}not a url`], base)).toThrow(ConfigError);
  });

  it('an unknown flag of 100 KB is reported quickly (the did-you-mean pass skips hopeless candidates)', () => {
    const started = performance.now();
    expect(() => loadConfig('imds', [`--${'x'.repeat(100_000)}`], { NODE_NAME: 'n1' })).toThrow(
      /unknown flag/,
    );
    // quadratic before the fix: about 4 s of CPU; now a few ms
    expect(performance.now() - started).toBeLessThan(1500);
  });
});
