import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configurationMarkdown } from '../../../src/config/docs.js';
import { modeHelp, topHelp } from '../../../src/config/help.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { REDACTED, redactedConfig } from '../../../src/config/redact.js';
import { allOptions } from '../../../src/config/schema.js';

describe('redactedConfig', () => {
  it('replaces set secrets and keeps everything else', () => {
    const { config } = loadConfig('imds', [], {
      NODE_NAME: 'n1',
      WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/s3cret',
      WEBHOOK_HEADERS: '{"Authorization":"Bearer tok3n"}',
      WEBHOOK_PROXY: 'http://user:pa55@proxy:3128',
    });
    const shown = redactedConfig(config);
    const text = JSON.stringify(shown);
    for (const secret of ['s3cret', 'tok3n', 'pa55']) expect(text).not.toContain(secret);
    expect(shown.webhook).toMatchObject({
      url: REDACTED,
      headers: REDACTED,
      proxyUrl: REDACTED,
      timeoutMs: 5000,
    });
    expect(shown.general).toMatchObject({ nodeName: 'n1' });
    expect(config.webhook.url).toContain('s3cret');
  });

  it('leaves unset secrets unset (so the log shows no webhook is configured)', () => {
    const shown = redactedConfig(loadConfig('imds', [], { NODE_NAME: 'n1' }).config);
    expect(shown.webhook).toMatchObject({ url: undefined, headers: {} });
  });
});

describe('help', () => {
  it('lists the options of the mode only, with env, default and allowed values', () => {
    const imds = modeHelp('imds');
    expect(imds).toContain('usage: spot-handler imds [flags]');
    expect(imds).toContain('--metadata-url  (env AWS_EC2_METADATA_SERVICE_ENDPOINT)');
    expect(imds).toMatch(/--node-name[\s\S]*required in imds mode/);
    expect(imds).toMatch(
      /--taint-effect[\s\S]*allowed: NoSchedule\|PreferNoSchedule\|NoExecute; default: NoSchedule/,
    );
    expect(imds).not.toContain('--queue-url');
    const queue = modeHelp('queue');
    expect(queue).toContain('--queue-url  (env QUEUE_URL)');
    expect(queue).toContain('env AWS_ENDPOINT_URL_SQS');
    expect(queue).not.toContain('--metadata-url');
  });

  it('names every mode at top level', () => {
    expect(topHelp()).toMatch(/imds[\s\S]*queue[\s\S]*sandbox/);
  });
});

describe('schema', () => {
  it('keeps the contract names: every option has a distinct flag and env var', () => {
    const options = allOptions();
    const flags = options.flatMap((o) => (o.flag ? [o.flag] : []));
    const envs = options.map((o) => o.env);
    expect(new Set(flags).size).toBe(flags.length);
    expect(new Set(envs).size).toBe(envs.length);
    expect(flags).toContain('--node-termination-grace-period');
    expect(envs).toContain('SQS_MSG_VISIBILITY_TIMEOUT_SEC');
    for (const o of options) {
      expect(o.description.length, o.key).toBeGreaterThan(10);
      if (o.flag) expect(o.flag).toMatch(/^--[a-z0-9-]+$/);
    }
  });

  it('has defaults that pass their own validation', () => {
    for (const o of allOptions()) {
      if (o.type === 'int') expect(o.default >= o.min || o.special?.includes(o.default), o.key).toBe(true);
      if (o.type === 'enum') expect(o.values, o.key).toContain(o.default);
    }
  });
});

describe('docs/configuration.md', () => {
  it('is up to date with the schema (run `npm run docs` to regenerate)', () => {
    const committed = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(configurationMarkdown());
  });

  it('documents every option and every ignored NTH option', () => {
    const doc = configurationMarkdown();
    for (const o of allOptions()) expect(doc).toContain(`\`${o.env}\``);
    expect(doc).toContain('`LOG_FORMAT_VERSION`');
  });
});
