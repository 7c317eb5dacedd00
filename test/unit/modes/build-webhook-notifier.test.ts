import { describe, expect, it } from 'vitest';
import { templateNeedsFacts } from '../../../src/modes/build-webhook-notifier.js';

describe('templateNeedsFacts', () => {
  it.each<[string | undefined, boolean]>([
    [undefined, false],
    ['{"text":"{{ .EventID }} {{ .InstanceID }} {{ .StartTime }}"}', false],
    ['{{ .AccountId }}', true],
    ['{{ .InstanceLifeCycle }}', true],
    ['{{ .PublicIP }}', true],
    ['{{ .LocalHostname }}', true],
    ['{{ localIp }}', true],
    ['{{ public_hostname }}', true],
  ])('%s → %s', (template, expected) => {
    expect(templateNeedsFacts(template)).toBe(expected);
  });
});
