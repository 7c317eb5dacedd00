/** Status bodies a kubelet writes (shared by the kubelet simulator and the cluster builder). */

const NODE_STATUS = {
  capacity: { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' },
  allocatable: { cpu: '3920m', memory: '15Gi', pods: '110', 'ephemeral-storage': '95Gi' },
};

/** Node status a kubelet reports: capacity, allocatable, Ready and the pressure conditions. */
export function nodeReadyStatus(now: string): Record<string, unknown> {
  const cond = (type: string, status: string, reason: string) => ({
    type,
    status,
    reason,
    message: `sandbox kubelet: ${reason}`,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return {
    ...NODE_STATUS,
    conditions: [
      cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID'),
      cond('Ready', 'True', 'KubeletReady'),
    ],
    nodeInfo: {
      kubeletVersion: 'v1.32.0-sandbox',
      containerRuntimeVersion: 'sandbox://1.0',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** Pod status a kubelet reports once containers run: Running, Ready, podIP, startTime. */
export function podRunningStatus(
  pod: { spec?: { containers?: readonly { name: string; image?: string }[] } },
  now: string,
  index: number,
): Record<string, unknown> {
  const cond = (type: string) => ({ type, status: 'True', lastTransitionTime: now });
  const containers = pod.spec?.containers ?? [];
  return {
    phase: 'Running',
    conditions: [cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
    podIP: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
    startTime: now,
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    })),
  };
}
