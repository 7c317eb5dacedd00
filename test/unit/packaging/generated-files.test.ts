/** Files generated from the chart are up to date: docs/helm-values.md and the plain manifests in deploy/. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  findUndocumented,
  HELM_DOC_PATHS,
  readValueDocs,
  renderHelmValuesDoc,
} from '../../../scripts/gen-helm-docs.js';
import { parseManifests, ROOT } from './helm.js';

const run = promisify(execFile);

describe('docs/helm-values.md', () => {
  it('matches values.yaml (regenerate with `npx tsx scripts/gen-helm-docs.ts`)', async () => {
    const values = await readFile(HELM_DOC_PATHS.values, 'utf8');
    expect(await readFile(HELM_DOC_PATHS.doc, 'utf8')).toBe(renderHelmValuesDoc(values));
  });

  it('documents every key of values.yaml', async () => {
    expect(findUndocumented(await readFile(HELM_DOC_PATHS.values, 'utf8'))).toEqual([]);
  });

  it('reads nested keys, multi-line comments and defaults, and spots an undocumented key', () => {
    const text = [
      'top:',
      '  # -- First line',
      '  #   second line.',
      '  inner: 3',
      '  bare: x',
      '# -- A map documented whole.',
      'whole:',
      '  a: 1',
    ].join('\n');
    expect(readValueDocs(text)).toEqual([
      { path: 'top.inner', description: 'First line second line.', defaultValue: 3 },
      { path: 'whole', description: 'A map documented whole.', defaultValue: { a: 1 } },
    ]);
    expect(findUndocumented(text)).toEqual(['top.bare']);
  });
});

describe('deploy/ manifests', () => {
  it('match a fresh render of the chart (regenerate with scripts/render-manifests.sh)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'spot-handler-deploy-'));
    try {
      await run('bash', [join(ROOT, 'scripts/render-manifests.sh'), out], { cwd: ROOT });
      for (const mode of ['imds', 'queue']) {
        const fresh = await readFile(join(out, mode, 'spot-handler.yaml'), 'utf8');
        const committed = await readFile(join(ROOT, 'deploy', mode, 'spot-handler.yaml'), 'utf8');
        expect(committed, `deploy/${mode}/spot-handler.yaml`).toBe(fresh);
        const kinds = parseManifests(committed).map((o) => o.kind);
        expect(kinds).toContain(mode === 'imds' ? 'DaemonSet' : 'Deployment');
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
