import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { IntSpec, OptionEntry } from '../../../src/config/option-spec.js';
import { allOptions } from '../../../src/config/schema.js';

// Integer options of both modes that no cross-option rule ties to another one.
const TIED = new Set(['qps', 'burst']);
const INTS = allOptions().filter(
  (o): o is OptionEntry & IntSpec =>
    o.type === 'int' && o.modes !== 'queue' && o.flag !== undefined && !TIED.has(o.key),
);

const valueOf = (o: OptionEntry, config: unknown): unknown =>
  (config as Record<string, Record<string, unknown>>)[o.section]?.[o.key];

describe('precedence over every integer option (property)', () => {
  it('flag beats env beats default, for any in-range values', () => {
    const arb = fc
      .constantFrom(...INTS)
      .chain((o) =>
        fc.tuple(
          fc.constant(o),
          fc.integer({ min: o.min, max: o.max }),
          fc.integer({ min: o.min, max: o.max }),
          fc.boolean(),
          fc.boolean(),
        ),
      );
    fc.assert(
      fc.property(arb, ([o, flagValue, envValue, useFlag, useEnv]) => {
        const argv = useFlag ? [`${o.flag}=${flagValue}`] : [];
        const env = { NODE_NAME: 'n1', ...(useEnv && { [o.env]: String(envValue) }) };
        const { config } = loadConfig('imds', argv, env);
        const expected = useFlag ? flagValue : useEnv ? envValue : o.default;
        expect(valueOf(o, config)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects any value just outside the range, naming the option', () => {
    fc.assert(
      fc.property(fc.constantFrom(...INTS), fc.boolean(), (o, below) => {
        const bad = below ? o.min - 1 : o.max + 1;
        if (o.special?.includes(bad)) return;
        expect(() => loadConfig('imds', [`${o.flag}=${bad}`], { NODE_NAME: 'n1' })).toThrow(
          `${o.flag} / ${o.env}`,
        );
      }),
    );
  });
});
