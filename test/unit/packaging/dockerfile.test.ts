/** The Dockerfile builds the bundle on Node 22 and ships only what the bundle needs, as non-root. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helm.js';
import { DOCKER_NODE_FLAGS } from '../../helpers/daemon.js';

interface Stage {
  readonly from: string;
  readonly name?: string;
  readonly instructions: { op: string; args: string }[];
}

/** Splits a Dockerfile into stages of (instruction, arguments), joining continuation lines. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  const stages: { from: string; name?: string; instructions: { op: string; args: string }[] }[] = [];
  for (const line of lines) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    const [, op, args] = match as unknown as [string, string, string];
    if (op === 'FROM') {
      const [image, , name] = args.split(/\s+/);
      stages.push({ from: image!, name, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op, args: args.trim() });
    }
  }
  return stages;
}

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = dockerfile.at(-1)!;
const build = dockerfile[0]!;
const ops = (stage: Stage, op: string): string[] =>
  stage.instructions.filter((i) => i.op === op).map((i) => i.args);

describe('Dockerfile', () => {
  it('is multi-stage on Node 22 for both stages', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    expect(build.from).toMatch(/^node:22(\.|-|$)/);
    expect(runtime.from).toMatch(/^(gcr\.io\/distroless\/nodejs22-|node:22)/);
  });

  it('builds with the lockfile and the bundler', () => {
    const runs = ops(build, 'RUN').join('\n');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm run build\b/);
  });

  it('copies the bundle and its chunks, where scripts/build.mjs puts them, and no dev dependencies', () => {
    const buildScript = readFileSync(join(ROOT, 'scripts/bundle-options.mjs'), 'utf8');
    expect(buildScript).toContain("entryNames: 'spot-handler'");
    expect(buildScript).toContain("chunkNames: 'chunks/");
    const copies = ops(runtime, 'COPY');
    expect(copies).toContain(`--from=${build.name} /src/dist/spot-handler.mjs /app/spot-handler.mjs`);
    expect(copies).toContain(`--from=${build.name} /src/dist/chunks /app/chunks`);
    expect(copies.filter((c) => c.includes('node_modules') && !c.includes('prune'))).toEqual([]);
  });

  it('runs as non-root 65532 with the memory flags and the bundle, without HEALTHCHECK', () => {
    expect(ops(runtime, 'USER')).toEqual(['65532:65532']);
    const entrypoint = JSON.parse(ops(runtime, 'ENTRYPOINT')[0]!) as string[];
    // the benches and scenario tests run the daemon with DOCKER_NODE_FLAGS: they must be the image's
    expect(entrypoint).toEqual(['/nodejs/bin/node', ...DOCKER_NODE_FLAGS, '/app/spot-handler.mjs']);
    // --lite-mode/--jitless remove WebAssembly, which global fetch (undici's llhttp) needs (ADR 0007)
    expect(entrypoint.filter((f) => f === '--lite-mode' || f === '--jitless')).toEqual([]);
    expect(ops(runtime, 'HEALTHCHECK')).toEqual([]);
    expect(ops(runtime, 'CMD')).toEqual([]);
  });

  it('sends only the build inputs to the daemon (.dockerignore)', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const path of ['node_modules', 'dist', '.git', 'test']) expect(ignored).toContain(path);
    for (const path of ['src', 'package.json', 'package-lock.json', 'scripts', 'tsconfig.json'])
      expect(ignored).not.toContain(path);
    const copied = ops(build, 'COPY').join(' ');
    for (const input of [
      'package.json',
      'package-lock.json',
      'scripts/build.mjs',
      'scripts/bundle-options.mjs',
      'src',
    ])
      expect(copied).toContain(input);
  });
});
