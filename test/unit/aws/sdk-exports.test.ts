import { describe, expect, it } from 'vitest';
import { sdkExports } from '../../../src/aws/aws-clients.js';

describe('sdkExports', () => {
  it('returns the namespace when it has the named export', () => {
    const ns = { SQSClient: class {} };
    expect(sdkExports(ns, 'SQSClient')).toBe(ns);
  });

  it('reads a bundled CommonJS module from default (esbuild code splitting)', () => {
    const inner = { SQSClient: class {} };
    const ns = { default: inner } as unknown as typeof inner;
    expect(sdkExports(ns, 'SQSClient')).toBe(inner);
  });

  it('works with the real SDK module loaded through import()', async () => {
    const sdk = sdkExports(await import('@aws-sdk/client-sqs'), 'SQSClient');
    expect(typeof sdk.SQSClient).toBe('function');
  });
});
