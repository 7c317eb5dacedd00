import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveMode, runCli } from '../../../src/cli.js';
import { VERSION } from '../../../src/version.js';

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, env, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('runCli', () => {
  it.each([
    [['--version'], `spot-handler ${VERSION}`],
    [['queue', '--version'], `spot-handler ${VERSION}`],
    [['--help'], 'usage: spot-handler <imds|queue|sandbox> [flags]'],
    [['-h'], 'Modes:'],
    [['imds', '--help'], 'usage: spot-handler imds [flags]'],
    [['queue', '-h', '--bogus'], 'usage: spot-handler queue [flags]'],
  ])('%j → exit 0 printing %j', async (argv, text) => {
    const { code, stdout, stderr } = await cli(argv);
    expect(code).toBe(0);
    expect(stdout).toContain(text);
    expect(stderr).toBe('');
  });

  it('dispatches sandbox to the demo, which refuses an unknown --mode with exit 2', async () => {
    const { code, stdout } = await cli(['sandbox', '--mode', 'nope']);
    expect(code).toBe(2);
    expect(stdout).toContain('unknown --mode "nope"');
  });

  it('exits 2 on an unknown mode, with the usage', async () => {
    const { code, stderr } = await cli(['drian']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown mode "drian"[\s\S]*usage: spot-handler/);
  });

  it('dispatches drain: a usage error exits 1 as kubectl, naming the problem', async () => {
    const { code, stderr } = await cli(['drain']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/error: NODE is required[\s\S]*usage: spot-handler drain NODE/);
  });

  it('exits 2 listing every config problem, each with its flag and env var', async () => {
    const { code, stderr, stdout } = await cli(['queue', '--bogus', '--workers=0'], {
      TAINT_EFFECT: 'Sometimes',
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('spot-handler queue: invalid configuration (4 problem(s))');
    expect(stderr).toContain('  - unknown flag --bogus');
    expect(stderr).toContain(
      '  - --taint-effect / TAINT_EFFECT: env TAINT_EFFECT="Sometimes" is not an allowed value',
    );
    expect(stderr).toContain('  - --workers / WORKERS: --workers="0" is out of range; allowed: 1..10000');
    expect(stderr).toContain('  - --queue-url / QUEUE_URL: required in queue mode');
    expect(stderr).toContain('spot-handler queue --help');
  });

  it('with no mode, chooses like NTH: queue when ENABLE_SQS_TERMINATION_DRAINING=true, else imds', async () => {
    expect(resolveMode([], { ENABLE_SQS_TERMINATION_DRAINING: 'true' })).toEqual({ mode: 'queue', rest: [] });
    expect(resolveMode(['--dry-run'], {})).toEqual({ mode: 'imds', rest: ['--dry-run'] });
    expect(resolveMode(['imds', '--dry-run'], { ENABLE_SQS_TERMINATION_DRAINING: 'true' })).toEqual({
      mode: 'imds',
      rest: ['--dry-run'],
    });
    const { code, stderr } = await cli([], { ENABLE_SQS_TERMINATION_DRAINING: 'true' });
    expect(code).toBe(2);
    expect(stderr).toContain('--queue-url / QUEUE_URL: required in queue mode');
  });
});

describe('spot-handler as a process', () => {
  it('exits 2 with the problems on stderr for bad input', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', 'queue', '--http-port=http'],
      {
        cwd: root,
        env: { PATH: process.env.PATH, QUEUE_URL: 'not-a-url' },
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      '--http-port / HTTP_PORT: --http-port="http" is not a whole number; allowed: 0..65535',
    );
    expect(result.stderr).toContain('--queue-url / QUEUE_URL: env QUEUE_URL="not-a-url" is not a valid URL');
    expect(result.stdout).toBe('');
  });
});

describe('runCli running a mode', () => {
  it('logs warnings and the redacted config, runs the mode, and stops it on SIGTERM with exit 0', async () => {
    const proc = Object.assign(new EventEmitter(), {
      exits: [] as number[],
      exit: (c: number) => void proc.exits.push(c),
    });
    const lines: Record<string, unknown>[] = [];
    const logDestination = new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(JSON.parse(chunk.toString()));
        cb();
      },
    });
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const seen: { mode?: string; aborted?: boolean } = {};
    const result = runCli(
      ['imds', '--dry-run'],
      { NODE_NAME: 'n1', WEBHOOK_URL: 'https://hooks.example.com/s3cret', METADATA_TRIES: '3' },
      {
        proc,
        logDestination,
        runMode: async (config, deps) => {
          seen.mode = config.mode;
          started();
          await new Promise((r) => deps.signal.addEventListener('abort', r, { once: true }));
          seen.aborted = deps.signal.aborted;
          return 0;
        },
      },
    );
    await running;
    proc.emit('SIGTERM');
    expect(await result).toBe(0);
    expect(seen).toEqual({ mode: 'imds', aborted: true });
    expect(proc.exits).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: expect.stringContaining('METADATA_TRIES') }),
    );
    const loaded = lines.find((l) => l.msg === 'configuration loaded') as {
      config: { general: object; webhook: object };
    };
    expect(loaded.config.general).toMatchObject({ nodeName: 'n1', dryRun: true });
    expect(loaded.config.webhook).toMatchObject({ url: '[redacted]' });
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });
});
