import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { ConfigError } from '../../../src/errors.js';

describe('webhook template checked at start-up', () => {
  it('lists a template that does not parse as a config problem', () => {
    const env = {
      NODE_NAME: 'n1',
      WEBHOOK_URL: 'https://hooks.example.com/x',
      WEBHOOK_TEMPLATE: '{"text":"{{ .Kind ',
    };
    expect(() => loadConfig('imds', [], env)).toThrow(ConfigError);
    try {
      loadConfig('imds', [], env);
    } catch (err) {
      expect((err as ConfigError).problems.join('\n')).toMatch(/WEBHOOK_TEMPLATE/);
    }
  });

  it('accepts NTH default-style templates', () => {
    const env = {
      NODE_NAME: 'n1',
      WEBHOOK_TEMPLATE: '{"text":"{{ .EventID }} {{ .Kind }} {{ .NodeName }}"}',
    };
    expect(loadConfig('imds', [], env).config.webhook.template).toContain('EventID');
  });
});
