/** Builders of plain pods and nodes for action tests. */
import type { KubeNode, KubePod } from '../../../src/actions/kube-types.js';

let seq = 0;

/** A running, ready pod owned by a ReplicaSet, on node n1, unless overridden. */
export function pod(overrides: Partial<KubePod> = {}): KubePod {
  seq++;
  return {
    namespace: 'default',
    name: `p${seq}`,
    uid: `uid-${seq}`,
    nodeName: 'n1',
    phase: 'Running',
    ready: true,
    terminationGracePeriodSeconds: 30,
    annotations: {},
    controller: { kind: 'ReplicaSet', name: 'web-abc', apiVersion: 'apps/v1' },
    hasEmptyDir: false,
    ...overrides,
  };
}

/** A ready, schedulable node n1. */
export function node(overrides: Partial<KubeNode> = {}): KubeNode {
  return {
    name: 'n1',
    resourceVersion: '1',
    providerId: 'aws:///us-east-1a/i-0123',
    unschedulable: false,
    labels: { 'kubernetes.io/hostname': 'n1' },
    annotations: {},
    taints: [],
    conditions: [{ type: 'Ready', status: 'True' }],
    ...overrides,
  };
}
