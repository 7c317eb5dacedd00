import { describe, expect, it } from 'vitest';
import { bypassesProxy, selectProxy } from '../../../src/report/webhook-proxy.js';

describe('selectProxy', () => {
  const env = { httpsProxy: 'http://secure-proxy:3128', httpProxy: 'http://plain-proxy:3128' };
  it.each([
    ['https://hooks.slack.com/x', {}, undefined],
    ['https://hooks.slack.com/x', env, 'http://secure-proxy:3128'],
    ['http://hooks.internal/x', env, 'http://plain-proxy:3128'],
    ['https://hooks.slack.com/x', { httpProxy: 'http://plain-proxy:3128' }, 'http://plain-proxy:3128'],
    ['http://hooks.internal/x', { httpsProxy: 'http://secure-proxy:3128' }, undefined],
    ['https://hooks.slack.com/x', { ...env, webhookProxy: 'http://explicit:8080' }, 'http://explicit:8080'],
    ['https://hooks.slack.com/x', { ...env, noProxy: 'slack.com' }, undefined],
    [
      'https://hooks.slack.com/x',
      { ...env, webhookProxy: 'http://explicit:8080', noProxy: '*' },
      'http://explicit:8080',
    ],
  ])('%s with %j → %s', (url, settings, want) => {
    expect(selectProxy(new URL(url), settings)).toBe(want);
  });
});

describe('bypassesProxy (NO_PROXY)', () => {
  it.each([
    ['https://hooks.slack.com/x', '*', true],
    ['https://hooks.slack.com/x', 'hooks.slack.com', true],
    ['https://hooks.slack.com/x', 'slack.com', true],
    ['https://hooks.slack.com/x', '.slack.com', true],
    ['https://slack.com/x', '.slack.com', true],
    ['https://hooks.slack.com/x', '*.slack.com', true],
    ['https://notslack.com/x', 'slack.com', false],
    ['https://hooks.slack.com/x', 'example.com, localhost', false],
    ['http://10.0.0.5:8080/x', '10.0.0.5', true],
    ['http://10.0.0.5:8080/x', '10.0.0.5:8080', true],
    ['http://10.0.0.5:8080/x', '10.0.0.5:9090', false],
    ['https://hooks.slack.com/x', 'hooks.slack.com:443', true],
    ['http://[::1]:8080/x', '[::1]', true],
    ['https://HOOKS.Slack.com/x', 'hooks.SLACK.com', true],
    ['https://hooks.slack.com/x', '', false],
    ['https://hooks.slack.com/x', undefined, false],
  ])('%s with NO_PROXY=%s → %s', (url, noProxy, want) => {
    expect(bypassesProxy(new URL(url), noProxy)).toBe(want);
  });
});
