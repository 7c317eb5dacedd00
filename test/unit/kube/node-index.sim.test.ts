/** NodeIndex on client-node against the Kubernetes API simulator: list, watch, readiness. */
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { loadKubeConfig } from '../../../src/kube/kube-config.js';
import { NodeIndex, kubeNodeListWatch } from '../../../src/kube/node-index.js';
import { until } from '../../helpers/until.js';
import { kubeSimulatorPerFile } from '../../helpers/kube-simulator-per-file.js';

const simulator = kubeSimulatorPerFile();

const nodeBody = (name: string, id: string) => ({
  metadata: { name, labels: { 'node.kubernetes.io/instance-type': 'm5.large' } },
  spec: { providerID: `aws:///us-east-1a/${id}` },
});

describe('NodeIndex on the API simulator', () => {
  it('indexes listed nodes and follows changes (also across a compaction while the watch is open)', async () => {
    const kc = loadKubeConfig({ server: { url: simulator().url } });
    const core = kc.makeApiClient(CoreV1Api);
    for (let i = 0; i < 3; i++) await core.createNode({ body: nodeBody(`n${i}`, `i-0000000${i}`) });
    const index = new NodeIndex({
      source: kubeNodeListWatch(kc),
      clock: systemClock,
      logger: pino({ level: 'silent' }),
    });
    const abort = new AbortController();
    const running = index.run(abort.signal);
    try {
      await index.synced;
      expect(index.size).toBe(3);
      expect(index.lookup('i-00000001')).toMatchObject({ nodeName: 'n1', ready: false });

      const ready = index.waitForReady('i-00000001', 5000);
      await core.patchNodeStatus(
        { name: 'n1', body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      expect((await ready)?.nodeName).toBe('n1');

      await core.createNode({ body: nodeBody('n9', 'i-00000009') });
      await until(() => index.lookup('i-00000009') !== undefined);
      await core.deleteNode({ name: 'n0' });
      await until(() => index.lookup('i-00000000') === undefined);

      // an open watch keeps streaming after compaction (the 410 re-list path is unit-tested with a fake)
      simulator().compact();
      await core.createNode({ body: nodeBody('n10', 'i-0000000a') });
      await until(() => index.lookup('i-0000000a') !== undefined);
      expect(index.size).toBe(4);
    } finally {
      abort.abort();
      await running;
    }
  });
});
