import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SetupError, TransientError } from '../../../src/errors.js';
import { createLogger } from '../../../src/report/logger.js';

/** An in-memory destination: every line written, in order. */
function memory() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join(''), lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('createLogger', () => {
  it('writes JSON lines with app, version, mode, ISO time, level label and component', async () => {
    const out = memory();
    const logger = await createLogger({
      level: 'info',
      format: 'json',
      destination: out.stream,
      version: '9.9.9',
      mode: 'imds',
    });
    logger.child({ component: 'drain' }).info({ node: 'n1' }, 'drained');
    logger.debug('hidden below info');
    const lines = out.lines().map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      app: 'spot-handler',
      version: '9.9.9',
      mode: 'imds',
      level: 'info',
      component: 'drain',
      node: 'n1',
      msg: 'drained',
    });
    expect(lines[0].time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('redacts secrets wherever components put them', async () => {
    const out = memory();
    const logger = await createLogger({ level: 'info', format: 'json', destination: out.stream });
    logger.info(
      {
        config: {
          webhook: {
            url: 'https://hooks/s3cret-1',
            headers: { Authorization: 's3cret-2' },
            proxyUrl: 'http://u:s3cret-3@p',
          },
        },
        request: { headers: { authorization: 's3cret-4' } },
        aws: { secretAccessKey: 's3cret-5', sessionToken: 's3cret-6' },
        webhookUrl: 's3cret-7',
        token: 's3cret-8',
      },
      'start',
    );
    const text = out.text();
    expect(text).not.toMatch(/s3cret/);
    expect(text).toContain('[redacted]');
  });

  it('serializes errors under err with the stack', async () => {
    const out = memory();
    const logger = await createLogger({ level: 'info', format: 'json', destination: out.stream });
    logger.error({ err: new Error('boom') }, 'failed');
    const line = JSON.parse(out.lines()[0]!);
    expect(line.err).toMatchObject({ type: 'Error', message: 'boom' });
    expect(line.err.stack).toContain('boom');
  });

  it('logs an expected (typed) error as one short line: no stack, no response body, the status', async () => {
    const out = memory();
    const logger = await createLogger({ level: 'info', format: 'json', destination: out.stream });
    const body = JSON.stringify({ kind: 'Status', message: 'x'.repeat(2000) });
    const apiError = Object.assign(
      new Error(`HTTP-Code: 500\nMessage: Unknown API Status Code!\nBody: ${body}`),
      {
        code: 500,
        body,
      },
    );
    const err = new TransientError('patch node n1: HTTP 500: etcd timeout', { cause: apiError });
    logger
      .child({ component: 'executor' })
      .warn({ err, node: 'n1', next: 'retry in 1 s' }, 'step failed; retrying');
    logger.debug({ err }, 'hidden');
    const lines = out.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBeLessThan(400);
    const line = JSON.parse(lines[0]!);
    expect(line.err).toEqual({
      type: 'TransientError',
      message: 'patch node n1: HTTP 500: etcd timeout',
      retryable: true,
    });
    expect(lines[0]).not.toContain('xxxx');
  });

  it('keeps own fields of a typed error and names the cause code once', async () => {
    const out = memory();
    const logger = await createLogger({ level: 'info', format: 'json', destination: out.stream });
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    logger.warn(
      { err: new SetupError('lease get failed', { cause, reason: 'kube_forbidden', fix: 'grant get' }) },
      'x',
    );
    const line = JSON.parse(out.lines()[0]!);
    expect(line.err).toEqual({
      type: 'SetupError',
      message: 'lease get failed',
      retryable: false,
      cause: 'ECONNREFUSED',
      reason: 'kube_forbidden',
      fix: 'grant get',
    });
  });

  it('writes the stack of a typed error on a debug line when debug is on', async () => {
    const out = memory();
    const logger = await createLogger({ level: 'debug', format: 'json', destination: out.stream });
    logger.warn({ err: new TransientError('IMDS GET /x answered 500') }, 'IMDS request failed; backing off');
    const [warn, debug] = out.lines().map((l) => JSON.parse(l));
    expect(warn.level).toBe('warn');
    expect(warn.err.stack).toBeUndefined();
    expect(debug.level).toBe('debug');
    expect(debug.stack).toContain('TransientError: IMDS GET /x answered 500');
  });

  it('writes human-readable lines when format is pretty', async () => {
    const out = memory();
    const logger = await createLogger({ level: 'info', format: 'pretty', destination: out.stream });
    logger.child({ component: 'imds' }).warn({ webhookUrl: 'https://s3cret' }, 'token refused');
    await new Promise((r) => setImmediate(r));
    const text = out.text();
    expect(text).toContain('WARN');
    expect(text).toContain('token refused');
    expect(text).not.toContain('s3cret');
    expect(() => JSON.parse(text)).toThrow();
  });
});
