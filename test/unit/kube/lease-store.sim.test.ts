/** KubeLeaseStore + LeaseElector against the Kubernetes API simulator (real HTTP, real clock, short timings). */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { ConflictError } from '../../../src/errors.js';
import { LeaseElector } from '../../../src/kube/lease-elector.js';
import { KubeLeaseStore } from '../../../src/kube/lease-store.js';
import { loadKubeConfig } from '../../../src/kube/kube-config.js';
import { createMetrics } from '../../../src/report/metrics.js';
import { until } from '../../helpers/until.js';
import { kubeSimulatorPerFile } from '../../helpers/kube-simulator-per-file.js';

const simulator = kubeSimulatorPerFile();

function elector(name: string, identity: string) {
  const store = new KubeLeaseStore(loadKubeConfig({ server: { url: simulator().url } }), 'kube-system', name);
  const e = new LeaseElector(
    {
      store,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      metrics: createMetrics(new Registry(), { version: 't', mode: 'q' }, { defaultMetrics: false }),
    },
    { identity, leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 },
  );
  const abort = new AbortController();
  const running = e.run(abort.signal);
  return { store, e, abort, running };
}

describe('KubeLeaseStore on the API simulator', () => {
  it('get / create / replace with optimistic concurrency', async () => {
    const store = new KubeLeaseStore(
      loadKubeConfig({ server: { url: simulator().url } }),
      'kube-system',
      'store-test',
    );
    expect(await store.get()).toBeUndefined();
    const spec = {
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTimeMs: 1_000,
      renewTimeMs: 2_000,
      leaseTransitions: 0,
    };
    const created = await store.create(spec);
    expect(created).toMatchObject({ ...spec });
    await expect(store.create(spec)).rejects.toBeInstanceOf(ConflictError);
    const replaced = await store.replace({ ...spec, renewTimeMs: 3_000 }, created.resourceVersion);
    expect(replaced.renewTimeMs).toBe(3_000);
    await expect(
      store.replace({ ...spec, holderIdentity: 'b' }, created.resourceVersion),
    ).rejects.toBeInstanceOf(ConflictError);
    const released = await store.replace({ ...spec, holderIdentity: '' }, replaced.resourceVersion);
    expect(released.holderIdentity).toBe('');
  });

  it('one leader at a time; a graceful stop hands over within a few retry periods', async () => {
    const a = elector('elector-test', 'a');
    await until(() => a.e.isLeader);
    const b = elector('elector-test', 'b');
    await new Promise((r) => setTimeout(r, 1000));
    expect(b.e.isLeader).toBe(false);
    const stoppedAt = Date.now();
    a.abort.abort();
    await a.running;
    await until(() => b.e.isLeader, 2000);
    expect(Date.now() - stoppedAt).toBeLessThan(1500); // far less than the 3 s lease duration
    b.abort.abort();
    await b.running;
  });
});
