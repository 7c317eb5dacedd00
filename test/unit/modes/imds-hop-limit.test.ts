import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HOP_LIMIT_HINT, HopLimitWatch } from '../../../src/modes/imds-hop-limit.js';
import { createMetrics } from '../../../src/report/metrics.js';
import { captureLogger } from '../report/capture-logger.js';

describe('HopLimitWatch', () => {
  it('logs once per episode, however many polls it lasts; the gauge and hint follow every poll', async () => {
    const { logger, lines } = captureLogger();
    const metrics = createMetrics(new Registry(), { version: 't', mode: 'imds' }, { defaultMetrics: false });
    const watch = new HopLimitWatch(logger, metrics);
    const gauge = async () => (await metrics.imdsTokenTimeout.get()).values[0]?.value;

    expect(watch.update(false)).toBeUndefined();
    for (let poll = 0; poll < 100; poll++) expect(watch.update(true)).toBe(HOP_LIMIT_HINT);
    expect(await gauge()).toBe(1);
    for (let poll = 0; poll < 10; poll++) expect(watch.update(false)).toBeUndefined();
    expect(await gauge()).toBe(0);
    for (let poll = 0; poll < 50; poll++) watch.update(true);

    const said = lines().map((l) => [l['level'], l['msg']]);
    expect(said).toEqual([
      [50, HOP_LIMIT_HINT],
      [30, 'IMDSv2 token request answered again'],
      [50, HOP_LIMIT_HINT],
    ]);
    expect(lines()[0]?.['reason']).toBe('imds-hop-limit');
  });
});
