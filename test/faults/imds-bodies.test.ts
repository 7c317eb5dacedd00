/**
 * Faults on the IMDS side, against the real daemon in IMDS mode: a malformed notice body, and every IMDSv2
 * token turning invalid (401) mid-stream. Each time the node is drained once, before the deadline,
 * and the daemon neither crashes nor drains twice.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IMDS_PATHS } from '../../src/sandbox/imds-server.js';
import { waitFor } from '../../src/sandbox/demo-world.js';
import { startSandboxWorldOnKubeEnv, type WorldOnKubeEnv } from '../helpers/kube-env.js';
import { startDaemon, stopAllDaemons, testBundle } from '../helpers/daemon.js';
import { faultRecord } from './support/fault-record.js';
import { expectDrainedOnce, imdsFaultEnv, setSpotNotice } from './support/imds-fault-world.js';

let world: WorldOnKubeEnv;

beforeEach(async () => {
  world = await startSandboxWorldOnKubeEnv({ deployments: [{ name: 'web', replicas: 4, shutdownMs: 100 }] });
});

// build the daemon bundle once, outside the first test's time budget (slow on a loaded machine)
beforeAll(() => testBundle().then(() => undefined), 120_000);

afterEach(async () => {
  await stopAllDaemons();
  await world.stop();
});

describe('IMDS faults: bodies and tokens', () => {
  it('malformed notice bodies are counted as invalid, then the valid notice drains once', async () => {
    const rec = faultRecord('imds', 'malformed spot notice (truncated JSON, wrong shape) for 1.5 s');
    const daemon = await startDaemon({ env: imdsFaultEnv(world) });
    world.imds.setBody(IMDS_PATHS.spot, '{"action": "terminate", "time": ');
    await new Promise((r) => setTimeout(r, 700));
    world.imds.setBody(IMDS_PATHS.spot, '{"action": 42}');
    await new Promise((r) => setTimeout(r, 800));
    const invalid = await daemon.metric('spot_handler_inputs_invalid_total', { source: 'imds' });
    expect(invalid).toBeGreaterThan(0);
    expect(daemon.logsWith('drain started')).toHaveLength(0);
    expect(await daemon.get('/healthz').then((r) => r.status)).toBe(200);
    const deadline = Date.now() + 120_000;
    const noticeAt = Date.now();
    setSpotNotice(world, deadline);
    await expectDrainedOnce(world, daemon, rec, noticeAt, deadline);
    rec.figures.faultsInjected = invalid;
    rec.outcome = 'bodies counted as invalid (no crash, no action); valid notice drained once';
  });

  it('token 401 mid-stream: every token expires just as the notice appears', async () => {
    const rec = faultRecord('imds', 'all IMDSv2 tokens invalidated (401) as the notice appears');
    const daemon = await startDaemon({ env: imdsFaultEnv(world) });
    await waitFor(() => world.imds.requestsTo(IMDS_PATHS.spot).length > 2, 5_000, 'polling');
    const tokensBefore = world.imds.requestsTo(IMDS_PATHS.token).length;
    world.imds.expireTokens();
    const deadline = Date.now() + 120_000;
    const noticeAt = Date.now();
    setSpotNotice(world, deadline);
    await expectDrainedOnce(world, daemon, rec, noticeAt, deadline);
    const unauthorized = world.imds.requests.filter((r) => r.status === 401).length;
    expect(unauthorized).toBeGreaterThan(0);
    expect(world.imds.requestsTo(IMDS_PATHS.token).length).toBeGreaterThan(tokensBefore);
    rec.figures.faultsInjected = unauthorized;
    rec.outcome = 'new token fetched after 401; drained once';
  });
});
