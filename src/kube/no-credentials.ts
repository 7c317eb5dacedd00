/**
 * Whether there is any way to reach a cluster, answered without loading client-node (IMDS mode loads
 * it only on the first notice, yet must refuse to start where no cluster can ever be reached).
 */
import { access, constants } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What start-up says when there is no way to reach a cluster (instead of client-node's TLS complaint). */
export const NO_CREDENTIALS =
  'not in a cluster and no KUBECONFIG: set KUBECONFIG (or --kubeconfig) to a kubeconfig file, or run in a pod with a service account';

/** True when client-node's default chain would find something: in-cluster, KUBECONFIG or ~/.kube/config. */
export async function anyClusterCredentials(source: {
  readonly kubeconfig?: string | undefined;
  readonly inCluster: boolean;
  readonly homeDir?: string;
}): Promise<boolean> {
  if (source.kubeconfig || source.inCluster) return true;
  try {
    await access(join(source.homeDir ?? homedir(), '.kube', 'config'), constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
