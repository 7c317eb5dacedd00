/**
 * Faults on the IMDS side, against the real daemon in IMDS mode: a 5xx burst with the notice appearing
 * during the outage, timeouts (IMDS answering slower than IMDS_TIMEOUT_MS), a malformed notice body, and
 * every IMDSv2 token turning invalid (401) mid-stream. Each time the node is drained once, before the
 * deadline, and the daemon neither crashes nor drains twice.
 */
import { describe, expect, it } from 'vitest';
import { IMDS_PATHS } from '../../src/sandbox/imds-server.js';
import { waitFor } from '../../src/sandbox/demo-world.js';
import type { WorldOnKubeEnv } from '../helpers/kube-env.js';
import {
  expectDrainedOnce,
  imdsFaultWorldPerTest,
  setSpotNotice,
  startImdsFault,
} from './support/imds-fault-world.js';

let world: WorldOnKubeEnv;

imdsFaultWorldPerTest((w) => (world = w));

describe('IMDS faults: outages', () => {
  it('5xx burst: the notice appears during the outage and is handled once IMDS answers', async () => {
    const { rec, daemon } = await startImdsFault(
      world,
      'IMDS 503 on every path for 2 s; the notice appears during the outage',
    );
    world.imds.failRequests({ status: 503 });
    const deadline = Date.now() + 120_000;
    const noticeAt = Date.now();
    setSpotNotice(world, deadline);
    await new Promise((r) => setTimeout(r, 2000));
    const failed = world.imds.requests.filter((r) => r.status === 503).length;
    expect(failed).toBeGreaterThan(3);
    expect(daemon.logsWith('drain started')).toHaveLength(0);
    world.imds.clearFailures();
    await expectDrainedOnce(world, daemon, rec, noticeAt, deadline);
    rec.figures.faultsInjected = failed;
    expect(daemon.logsWith('IMDS request failed; backing off').length).toBeGreaterThan(0);
    rec.outcome = 'backed off, drained once after recovery (back-off ≤ 10 s)';
  });

  it('timeouts: IMDS slower than IMDS_TIMEOUT_MS, then the notice', async () => {
    const { rec, daemon } = await startImdsFault(
      world,
      'IMDS answers after 1.5 s (timeout 400 ms) for 2 s, notice pending',
    );
    world.imds.latencyMs = 1500;
    const deadline = Date.now() + 120_000;
    const noticeAt = Date.now();
    setSpotNotice(world, deadline);
    await new Promise((r) => setTimeout(r, 2000));
    const errors = await daemon.metric('spot_handler_imds_poll_errors_total');
    expect(errors).toBeGreaterThan(0);
    world.imds.latencyMs = 0;
    await expectDrainedOnce(world, daemon, rec, noticeAt, deadline);
    rec.figures.faultsInjected = errors;
    rec.outcome = 'requests timed out and were counted; drained once after recovery';
  });
});

describe('IMDS faults: bodies and tokens', () => {
  it('malformed notice bodies are counted as invalid, then the valid notice drains once', async () => {
    const { rec, daemon } = await startImdsFault(
      world,
      'malformed spot notice (truncated JSON, wrong shape) for 1.5 s',
    );
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
    const { rec, daemon } = await startImdsFault(
      world,
      'all IMDSv2 tokens invalidated (401) as the notice appears',
    );
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
