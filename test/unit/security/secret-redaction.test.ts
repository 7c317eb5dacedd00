/**
 * Secrets never reach logs, stdout/stderr or /metrics: runCli with secret env (webhook URL and headers,
 * proxy credentials, AWS keys), every log line captured (JSON and pretty), the config-error path, the
 * webhook notifier's failure logs, and the rendered metrics.
 */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../../src/cli.js';
import { FakeClock } from '../../../src/clock.js';
import type { Config } from '../../../src/config/config-types.js';
import { createMetrics } from '../../../src/report/metrics.js';
import { SAMPLE_TEMPLATE_DATA } from '../../../src/report/template-validate.js';
import { WebhookRequestError, type WebhookTransport } from '../../../src/report/webhook-transport.js';
import { WebhookNotifier } from '../../../src/report/webhook.js';

const SECRETS = [
  'SECRET123',
  'TOPSECRET',
  'AKIASECRETKEYVALUE0',
  'wJalrSECRETACCESSKEY',
  'PROXYPASS',
  'SESSIONTOK',
];
const SECRET_ENV = {
  WEBHOOK_URL: 'https://hooks.example.com/T000/SECRET123',
  WEBHOOK_HEADERS: '{"Authorization":"Bearer TOPSECRET"}',
  HTTPS_PROXY: 'http://user:PROXYPASS@127.0.0.1:3128',
  AWS_ACCESS_KEY_ID: 'AKIASECRETKEYVALUE0',
  AWS_SECRET_ACCESS_KEY: 'wJalrSECRETACCESSKEY',
  AWS_SESSION_TOKEN: 'SESSIONTOK',
};
const QUEUE_ENV = { QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', POD_NAMESPACE: 'ops' };

function leaks(text: string): string[] {
  return SECRETS.filter((s) => text.includes(s));
}

interface Captured {
  code: number;
  logs: string;
  out: string;
  metrics: string;
  config?: Config;
}

/** Runs the CLI with a fake mode that does what real components do with the config and the registry. */
async function run(argv: string[], env: Record<string, string>): Promise<Captured> {
  const clock = new FakeClock(Date.parse('2026-11-29T10:00:00Z'));
  const proc = Object.assign(new EventEmitter(), { exit: () => undefined });
  let logs = '';
  let out = '';
  let metrics = '';
  let seen: Config | undefined;
  const logDestination = new Writable({
    write(chunk: Buffer, _e, cb) {
      logs += chunk.toString();
      cb();
    },
  });
  const runMode: CliIo['runMode'] = async (config, deps) => {
    seen = config;
    const m = createMetrics(deps.registry, { version: 'test', mode: config.mode });
    // the logger's redaction is the second line of defence: even the raw config is censored
    deps.logger.info({ config, webhook: config.webhook }, 'raw config (not done by the daemon)');
    // a transport error that names the URL (as node's do), a typed one, and a 500
    const raw: WebhookTransport = {
      post: (url) => Promise.reject(new Error(`connect ECONNREFUSED ${url.href}`)),
    };
    const typed: WebhookTransport = { post: () => Promise.reject(new WebhookRequestError('ECONNREFUSED')) };
    const rejecting: WebhookTransport = { post: () => Promise.resolve({ status: 500 }) };
    for (const transport of [raw, typed, rejecting]) {
      const notifier = new WebhookNotifier(
        { url: config.webhook.url, headers: config.webhook.headers, retries: 0 },
        { transport, logger: deps.logger, clock, metrics: m },
      );
      const { trigger: _t, ...data } = SAMPLE_TEMPLATE_DATA;
      await notifier.send('failure', data);
    }
    metrics = await deps.registry.metrics();
    return 0;
  };
  const code = await runCli(argv, env, {
    proc,
    clock,
    logDestination,
    runMode,
    stdout: (t) => (out += t),
    stderr: (t) => (out += t),
  });
  return { code, logs, out, metrics, ...(seen && { config: seen }) };
}

describe('secrets are never logged', () => {
  it.each(['json', 'pretty'])(
    'queue mode, %s logs: config dump, webhook failures, metrics',
    async (format) => {
      const r = await run(['queue', `--log-format=${format}`], { ...SECRET_ENV, ...QUEUE_ENV });
      expect(r.code).toBe(0);
      // the secrets did reach the config: the test would see a leak
      expect(r.config?.webhook.url).toBe(SECRET_ENV.WEBHOOK_URL);
      expect(r.config?.webhook.headers).toEqual({ Authorization: 'Bearer TOPSECRET' });
      expect(r.config?.webhook.proxyUrl).toBe(SECRET_ENV.HTTPS_PROXY);
      expect(r.logs).toContain('configuration loaded');
      expect(r.logs).toContain('webhook not delivered');
      expect(r.logs).toContain('[redacted]');
      expect(r.metrics).toContain('spot_handler_');
      expect({ logs: leaks(r.logs), out: leaks(r.out), metrics: leaks(r.metrics) }).toEqual({
        logs: [],
        out: [],
        metrics: [],
      });
    },
  );

  it('imds mode with the secrets given as flags', async () => {
    const argv = [
      'imds',
      '--webhook-url',
      SECRET_ENV.WEBHOOK_URL,
      `--webhook-headers=${SECRET_ENV.WEBHOOK_HEADERS}`,
    ];
    const r = await run(argv, { NODE_NAME: 'n1', AWS_SECRET_ACCESS_KEY: SECRET_ENV.AWS_SECRET_ACCESS_KEY });
    expect(r.code).toBe(0);
    expect(r.config?.webhook.url).toBe(SECRET_ENV.WEBHOOK_URL);
    expect(leaks(r.logs + r.out + r.metrics)).toEqual([]);
  });

  it('the config-error path names the bad options but not their secret values', async () => {
    const env = {
      ...SECRET_ENV,
      WEBHOOK_URL: 'hooks.example.com/T000/SECRET123',
      WEBHOOK_HEADERS: '{"Authorization": Bearer TOPSECRET',
      WEBHOOK_PROXY: 'PROXYPASS',
      NODE_NAME: 'n1',
    };
    const r = await run(['imds', '--webhook-url=ftp://SECRET123'], env);
    expect(r.code).toBe(2);
    expect(r.out).toContain('--webhook-url / WEBHOOK_URL');
    expect(r.out).toContain('--webhook-headers / WEBHOOK_HEADERS');
    expect(r.out).toContain('--webhook-proxy / WEBHOOK_PROXY');
    expect(leaks(r.out + r.logs)).toEqual([]);
  });

  it('a webhook URL read from a file is redacted too, and a bad one is not echoed', async () => {
    const files: Record<string, string> = {
      '/s/url': SECRET_ENV.WEBHOOK_URL,
      '/s/bad': 'not a url SECRET123',
    };
    const readFile = (p: string): string => files[p] ?? '';
    for (const [path, code] of [
      ['/s/url', 0],
      ['/s/bad', 2],
    ] as const) {
      let text = '';
      const io: Partial<CliIo> = {
        readFile,
        proc: Object.assign(new EventEmitter(), { exit: () => undefined }),
        logDestination: new Writable({ write: (c: Buffer, _e, cb) => ((text += c.toString()), cb()) }),
        runMode: () => Promise.resolve(0),
        stdout: (t) => (text += t),
        stderr: (t) => (text += t),
      };
      expect(await runCli(['imds', `--webhook-url-file=${path}`], { NODE_NAME: 'n1' }, io)).toBe(code);
      expect(text.length).toBeGreaterThan(0);
      expect(leaks(text)).toEqual([]);
    }
  });

  it('the metrics registry holds no secret even when the build info is rendered', async () => {
    const registry = new Registry();
    createMetrics(registry, { version: 'test', mode: 'queue' });
    expect(leaks(await registry.metrics())).toEqual([]);
  });
});
