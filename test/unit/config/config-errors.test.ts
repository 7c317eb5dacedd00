import { describe, expect, it } from 'vitest';
import { loadConfig, type Env } from '../../../src/config/load-config.js';
import type { Mode } from '../../../src/config/config-types.js';
import { ConfigError } from '../../../src/errors.js';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/spot-events';
const BASE: Record<Mode, Env> = { imds: { NODE_NAME: 'n1' }, queue: { QUEUE_URL } };

function problemsOf(
  mode: Mode,
  argv: string[],
  env: Env,
  readFile?: (p: string) => string,
): readonly string[] {
  try {
    loadConfig(mode, argv, { ...BASE[mode], ...env }, readFile ? { readFile } : {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const noFile = (p: string): string => {
  throw new Error(`ENOENT: no such file, open '${p}'`);
};

describe('loadConfig: each problem names the flag, the env var and what is allowed', () => {
  it.each<[string, Mode, string[], Env, string]>([
    [
      'unknown flag, with a suggestion',
      'imds',
      ['--dryrun'],
      {},
      'unknown flag --dryrun (did you mean --dry-run?)',
    ],
    [
      'unknown flag and its value: one problem',
      'imds',
      ['--queue-urll', 'https://x'],
      {},
      'unknown flag --queue-urll',
    ],
    ['stray argument', 'imds', ['oops'], {}, 'unexpected argument "oops"'],
    ['flag without value', 'imds', ['--http-port'], {}, '--http-port needs a value'],
    ['--no- with a value', 'imds', ['--no-dry-run=true'], {}, '--no-dry-run takes no value'],
    [
      'bad number (env)',
      'imds',
      [],
      { NODE_TERMINATION_GRACE_PERIOD: 'two' },
      '--node-termination-grace-period / NODE_TERMINATION_GRACE_PERIOD: env NODE_TERMINATION_GRACE_PERIOD="two" is not a whole number; allowed: 1..86400',
    ],
    [
      'bad number (alias)',
      'imds',
      [],
      { GRACE_PERIOD: '1.5' },
      '--pod-termination-grace-period / POD_TERMINATION_GRACE_PERIOD: env GRACE_PERIOD="1.5" is not a whole number; allowed: -1 or 0..86400',
    ],
    [
      'out of range',
      'queue',
      ['--sqs-visibility-timeout-seconds=0'],
      {},
      '--sqs-visibility-timeout-seconds / SQS_MSG_VISIBILITY_TIMEOUT_SEC: --sqs-visibility-timeout-seconds="0" is out of range; allowed: 1..43200',
    ],
    [
      'bad bool',
      'imds',
      [],
      { CORDON_ONLY: 'yes' },
      '--cordon-only / CORDON_ONLY: env CORDON_ONLY="yes" is not a boolean; allowed: true|false',
    ],
    [
      'bad bool alias of an enum',
      'imds',
      [],
      { JSON_LOGGING: 'sometimes' },
      '--log-format / LOG_FORMAT: env JSON_LOGGING="sometimes" is not a boolean; allowed: true|false',
    ],
    [
      'bad URL',
      'imds',
      ['--metadata-url', 'not a url'],
      {},
      '--metadata-url / AWS_EC2_METADATA_SERVICE_ENDPOINT: --metadata-url="not a url" is not a valid URL; allowed: http(s) URL',
    ],
    [
      'non-http URL',
      'queue',
      [],
      { AWS_ENDPOINT_URL_SQS: 'ftp://x' },
      'AWS_ENDPOINT_URL_SQS: env AWS_ENDPOINT_URL_SQS="ftp://x" is not an http(s) URL; allowed: http(s) URL',
    ],
    [
      'bad enum',
      'imds',
      [],
      { TAINT_EFFECT: 'noschedule' },
      '--taint-effect / TAINT_EFFECT: env TAINT_EFFECT="noschedule" is not an allowed value; allowed: NoSchedule|PreferNoSchedule|NoExecute',
    ],
    [
      'bad list item',
      'imds',
      ['--webhook-events=start,finish'],
      {},
      '--webhook-events / WEBHOOK_EVENTS: --webhook-events="start,finish" has unknown item(s) finish; allowed: comma list of start, success, failure',
    ],
    [
      'bad k=v map',
      'imds',
      [],
      { KUBERNETES_EVENTS_EXTRA_ANNOTATIONS: 'team=a,oops' },
      'has a malformed item "oops"; allowed: k=v,k2=v2',
    ],
    [
      'headers not JSON (value hidden)',
      'imds',
      [],
      { WEBHOOK_HEADERS: '{Authorization: x}' },
      '--webhook-headers / WEBHOOK_HEADERS: env WEBHOOK_HEADERS=(value hidden) is not valid JSON; allowed: JSON object of strings',
    ],
    ['headers not an object', 'imds', [], { WEBHOOK_HEADERS: '["a"]' }, 'is not a JSON object'],
    [
      'header value not a string',
      'imds',
      [],
      { WEBHOOK_HEADERS: '{"X-Retry": 3}' },
      'has non-string value(s) for X-Retry',
    ],
    [
      'missing NODE_NAME in imds mode',
      'imds',
      [],
      { NODE_NAME: '' },
      '--node-name / NODE_NAME: required in imds mode',
    ],
    [
      'missing QUEUE_URL in queue mode',
      'queue',
      [],
      { QUEUE_URL: undefined },
      '--queue-url / QUEUE_URL: required in queue mode',
    ],
    [
      'heartbeat flag outside queue mode',
      'imds',
      ['--heartbeat-interval=60'],
      {},
      '--heartbeat-interval / HEARTBEAT_INTERVAL: applies to queue mode only (set by --heartbeat-interval)',
    ],
    [
      'heartbeat env outside queue mode',
      'imds',
      [],
      { HEARTBEAT_UNTIL: '600' },
      '--heartbeat-until / HEARTBEAT_UNTIL: applies to queue mode only (set by env HEARTBEAT_UNTIL)',
    ],
    [
      'heartbeat until below interval',
      'queue',
      ['--heartbeat-interval=300', '--heartbeat-until=120'],
      {},
      '--heartbeat-until / HEARTBEAT_UNTIL: must be at least --heartbeat-interval / HEARTBEAT_INTERVAL',
    ],
    [
      'heartbeat interval out of range',
      'queue',
      ['--heartbeat-interval=10'],
      {},
      'is out of range; allowed: -1 or 30..3600',
    ],
    [
      'no region anywhere',
      'queue',
      [],
      { QUEUE_URL: 'http://127.0.0.1:4566/000000000000/q' },
      '--aws-region / AWS_REGION: required in queue mode when the queue URL host names no region',
    ],
    ['malformed region', 'queue', ['--aws-region', 'Ireland'], {}, '"Ireland" is not an AWS region name'],
    [
      'lease timings out of order',
      'queue',
      ['--lease-renew-seconds=20'],
      {},
      '--lease-duration-seconds (15) > --lease-renew-seconds (20) > --lease-retry-seconds (2) must hold',
    ],
    [
      'burst below qps',
      'imds',
      ['--kube-api-qps=2000'],
      {},
      '--kube-api-burst / KUBE_API_BURST: must be at least --kube-api-qps / KUBE_API_QPS',
    ],
    [
      'webhook url twice',
      'imds',
      [],
      { WEBHOOK_URL: 'https://h.example.com', WEBHOOK_URL_FILE: '/s/url' },
      'give only one of them',
    ],
  ])('%s', (_name, mode, argv, env, expected) => {
    expect(problemsOf(mode, argv, env, () => 'https://x.example.com')).toEqual([
      expect.stringContaining(expected),
    ]);
  });

  it('reports an unreadable or malformed webhook URL file', () => {
    expect(problemsOf('imds', [], { WEBHOOK_URL_FILE: '/nope' }, noFile)).toEqual([
      expect.stringMatching(/^--webhook-url-file \/ WEBHOOK_URL_FILE: cannot read file "\/nope" \(ENOENT/),
    ]);
    expect(problemsOf('imds', [], { WEBHOOK_URL_FILE: '/s/url' }, () => 'not a url')).toEqual([
      expect.stringContaining('the file "/s/url" is not a valid URL'),
    ]);
  });

  it('never echoes a secret value in a problem', () => {
    const problems = problemsOf('imds', [], { WEBHOOK_URL: 'ftp://user:s3cret@host' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain('s3cret');
  });

  it('lists every problem at once', () => {
    const problems = problemsOf('queue', ['--bogus', '--http-port=x', '--workers=0'], {
      QUEUE_URL: undefined,
      TAINT_EFFECT: 'Bad',
      DRY_RUN: 'maybe',
    });
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(
      /--bogus[\s\S]*HTTP_PORT[\s\S]*DRY_RUN[\s\S]*TAINT_EFFECT[\s\S]*WORKERS[\s\S]*QUEUE_URL/,
    );
  });

  it('the ConfigError message carries every problem too', () => {
    expect(() => loadConfig('queue', ['--workers=0'], {})).toThrow(/WORKERS[\s\S]*QUEUE_URL/);
  });
});
