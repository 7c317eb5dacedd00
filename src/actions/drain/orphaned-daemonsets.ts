/** Which DaemonSets of a node's pods no longer exist (kubectl drain deletes such orphaned pods). */
import type { KubePod } from '../kube-types.js';
import type { PodApi } from '../kube-ports.js';
import { daemonSetKey } from './pod-filters.js';

/** The `namespace/name` keys of the pods' DaemonSets that are gone; a read error counts as present. */
export async function orphanedDaemonSets(
  pods: readonly KubePod[],
  api: Pick<PodApi, 'daemonSetExists'>,
): Promise<Set<string>> {
  const orphaned = new Set<string>();
  const keys = new Set(pods.map(daemonSetKey).filter((k): k is string => k !== undefined));
  await Promise.all(
    [...keys].map(async (key) => {
      const [namespace = '', name = ''] = key.split('/');
      // an error reading the DaemonSet leaves its pods alone (the safe side)
      const exists = await api.daemonSetExists(namespace, name).catch(() => true);
      if (!exists) orphaned.add(key);
    }),
  );
  return orphaned;
}
