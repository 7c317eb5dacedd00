/**
 * What the IMDS daemon loads on its first notice (ADR 0010): the chunk of src/modes/node-actions.ts and
 * every chunk it imports, in the release build's options. It pays for that load between the notice
 * and the cordon, interpreted, so it holds only the API groups we call and no tr46 table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions } from '../../../scripts/bundle-options.mjs';

const out = mkdtempSync(join(tmpdir(), 'bundle-chunks-'));
let meta: Metafile;

/** The output holding `source`, and every output it imports statically, transitively. */
function loadedWith(source: string): Map<string, Metafile['outputs'][string]> {
  const outputs = meta.outputs;
  const start = Object.keys(outputs).find((o) => Object.keys(outputs[o]!.inputs).includes(source));
  if (!start) throw new Error(`no output holds ${source}`);
  const seen = new Map<string, Metafile['outputs'][string]>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    const output = outputs[name]!;
    seen.set(name, output);
    for (const i of output.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(start);
  return seen;
}

beforeAll(async () => {
  const result = await build({
    ...bundleOptions('0.0.0-test'),
    outdir: out,
    minify: true,
    metafile: true,
    logLevel: 'error',
  });
  meta = result.metafile;
}, 60_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the chunks the IMDS daemon loads on its first notice', () => {
  const inputs = (): string[] =>
    [...loadedWith('src/modes/node-actions.ts').values()].flatMap((o) => Object.keys(o.inputs));

  it('hold no whatwg-url or tr46 (node-fetch uses Node URL; the shim stands in)', () => {
    expect(inputs().filter((i) => /node_modules\/(whatwg-url|tr46)\//.test(i))).toEqual([]);
    expect(inputs()).toContain('src/kube/whatwg-url-shim.ts');
  });

  it('hold only the API groups the daemon calls, not every generated one', () => {
    const groups = inputs()
      .map((i) => /client-node\/dist\/gen\/apis\/(\w+)\.js$/.exec(i)?.[1])
      .filter((g) => g !== undefined);
    expect(groups).toContain('CoreV1Api');
    expect(groups).not.toContain('StorageV1Api');
    expect(groups.length).toBeLessThanOrEqual(8);
  });

  it('weigh under 1.8 MB minified (3.5 MB when a dynamic import took the whole package)', () => {
    const bytes = [...loadedWith('src/modes/node-actions.ts').values()].reduce((n, o) => n + o.bytes, 0);
    expect(bytes).toBeLessThan(1.8e6);
  });
});
