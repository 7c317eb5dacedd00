/**
 * Story: the daemon starts where there is no cluster to talk to (no KUBECONFIG, no ~/.kube/config, no
 * service account). It says so in words an operator can act on and exits, instead of client-node's
 * "HTTP protocol is not allowed when skipTLSVerify is not set or false".
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startImdsServer, type ImdsServer } from '../../src/sandbox/imds-server.js';
import { spawnDaemon, stopAllDaemons } from '../helpers/daemon.js';

let imds: ImdsServer | undefined;
let home: string | undefined;

afterEach(async () => {
  await stopAllDaemons();
  await imds?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

it('says "not in a cluster and no KUBECONFIG" and exits non-zero', async () => {
  imds = await startImdsServer();
  home = await mkdtemp(join(tmpdir(), 'spot-handler-empty-home-'));
  const daemon = await spawnDaemon({
    env: { HOME: home, NODE_NAME: 'n1', AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url },
  });
  const exit = await Promise.race([
    daemon.exited,
    new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000)),
  ]);
  const output = daemon.output();
  expect(exit?.code, output).not.toBe(0);
  expect(exit?.code, output).not.toBeNull();
  expect(output).toContain('not in a cluster and no KUBECONFIG');
  expect(output).not.toContain('HTTP protocol is not allowed');
  // one line, no stack trace
  const lines = daemon.logs.filter((l) => l.raw.includes('not in a cluster'));
  expect(lines).toHaveLength(1);
  expect(lines[0]?.raw).not.toMatch(/\n\s+at /);
  expect(lines[0]?.raw).not.toContain('"stack"');
});
