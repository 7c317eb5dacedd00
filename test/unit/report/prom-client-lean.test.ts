/** prom-client comes in by its own files in src/ (ADR 0007): the index would load https, zlib and cluster. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prom from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Counter, Registry } from '../../../src/report/prom-client-lean.js';
import { REPO_ROOT } from '../../helpers/daemon.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('prom-client-lean', () => {
  it('is the same classes as the package index, so tests may pass a Registry from either', async () => {
    expect(Registry).toBe(prom.Registry);
    expect(Counter).toBe(prom.Counter);
    const registry = new prom.Registry();
    new Counter({ name: 'lean_total', help: 'h', registers: [registry] }).inc(2);
    expect(await registry.metrics()).toContain('lean_total 2');
  });

  it('is the only way src/ loads prom-client code (type imports of the index are free)', () => {
    const offenders = sources(join(REPO_ROOT, 'src')).filter((file) =>
      /^import (?!type )[^;]*from 'prom-client';/m.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
