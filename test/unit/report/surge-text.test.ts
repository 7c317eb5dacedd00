/** The webhook's `surges` field: what surge-before-evict did, with the time each replacement took. */
import { describe, expect, it } from 'vitest';
import { surgesText } from '../../../src/report/surge-text.js';
import { DEFAULT_TEMPLATE, compileTemplate, renderTemplate } from '../../../src/report/template.js';
import { SAMPLE_TEMPLATE_DATA } from '../../../src/report/template-validate.js';
import type { SurgeReport } from '../../../src/pipeline/node-actuator-port.js';

const base = { namespace: 'shop', kind: 'Deployment' } as const;

describe('surgesText', () => {
  it.each<[SurgeReport, string]>([
    [
      { ...base, name: 'cart', result: 'surged', replacementMs: 8400 },
      'shop/cart surged: replacement Ready in 8.4s',
    ],
    [
      { ...base, name: 'cart', result: 'surged', joined: true, replacementMs: 1000 },
      'shop/cart surged: replacement Ready in 1.0s (joined a rollout in progress)',
    ],
    [
      { ...base, name: 'api', result: 'fell_back', replacementMs: 75_000 },
      'shop/api fell back: no Ready replacement after 75.0s',
    ],
    [
      { ...base, kind: 'StatefulSet', name: 'db', result: 'not_eligible', reason: 'not-deployment' },
      'StatefulSet shop/db not eligible (not-deployment)',
    ],
  ])('%j', (report, want) => {
    expect(surgesText([report])).toBe(want);
  });

  it('lists at most 10 and counts the rest', () => {
    const many = Array.from({ length: 12 }, (_, i): SurgeReport => ({
      ...base,
      name: `d${i}`,
      result: 'surged',
      replacementMs: 1,
    }));
    expect(surgesText(many)).toMatch(/d9 surged.*; and 2 more$/);
  });

  it('the default webhook body names the surged workloads, and says nothing without surges', () => {
    const tpl = compileTemplate(DEFAULT_TEMPLATE);
    const body = JSON.parse(renderTemplate(tpl, SAMPLE_TEMPLATE_DATA)) as { text: string };
    expect(body.text).toContain(' - surge: shop/cart surged: replacement Ready in 8.4s');
    const without = JSON.parse(renderTemplate(tpl, { ...SAMPLE_TEMPLATE_DATA, surges: [] })) as {
      text: string;
    };
    expect(without.text).not.toContain('surge');
  });
});
