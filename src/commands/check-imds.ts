/**
 * `spot-handler check` in IMDS mode: reads the instance identity through IMDSv2 (naming the hop limit when
 * the token PUT gets no answer), then the Kubernetes checks with this node.
 */
import { ImdsClient, imdsFailureReason, type ImdsResponse } from '../aws/imds-client.js';
import type { Config } from '../config/config-types.js';
import { KubeAccessReview } from '../kube/access-review.js';
import { loadKubeConfig } from '../kube/kube-config.js';
import { createKubeAdapters } from '../kube/adapters.js';
import { checkKube } from './check-kube.js';
import { failedItem, type CheckItem } from './check-list.js';

/** The IMDS read the check makes. */
export interface ImdsCheckPort {
  get(path: string): Promise<ImdsResponse>;
}

const IDENTITY = '/latest/dynamic/instance-identity/document';

/** The fix when IMDS does not answer: a token PUT that times out is the hop limit, nearly always. */
export function imdsFix(err: unknown, metadataUrl: string): string {
  const text = err instanceof Error ? err.message : String(err);
  if (imdsFailureReason(err) === 'timeout' && /\/latest\/api\/token/.test(text)) {
    return 'the IMDSv2 token PUT got no answer: the instance hop limit is 1 and the pod is not on the host network; set http-put-response-hop-limit to 2 (aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2) or install with daemonset.hostNetwork=true';
  }
  return `make IMDS reachable from the pod at ${metadataUrl} (instance metadata enabled, no network policy blocking 169.254.169.254)`;
}

/** Reads the identity document: ✓ with the instance id and region, or ✗ with the fix. */
export async function checkImdsIdentity(config: Config, imds: ImdsCheckPort): Promise<CheckItem> {
  const what = 'read the instance identity (IMDSv2)';
  try {
    const res = await imds.get(IDENTITY);
    if (res.status !== 200)
      return {
        status: 'fail',
        what,
        detail: 'IMDS answered 404',
        fix: imdsFix(undefined, config.imds.metadataUrl),
      };
    const doc = JSON.parse(res.body) as { instanceId?: string; region?: string };
    return { status: 'ok', what, detail: `${doc.instanceId ?? '?'} in ${doc.region ?? '?'}` };
  } catch (err) {
    return failedItem(what, err, imdsFix(err, config.imds.metadataUrl));
  }
}

/** Runs every IMDS-mode check against the live environment. */
export async function runImdsChecks(config: Config): Promise<CheckItem[]> {
  const imds = new ImdsClient({
    endpoint: config.imds.metadataUrl,
    timeoutMs: config.imds.timeoutMs,
    allowV1Fallback: config.imds.v1Fallback,
  });
  const kubeConfig = loadKubeConfig({
    ...(config.kube.kubeconfig ? { kubeconfigPath: config.kube.kubeconfig } : {}),
    inCluster: config.kube.inCluster && !config.kube.kubeconfig,
  });
  try {
    const { nodes } = createKubeAdapters(kubeConfig);
    const review = new KubeAccessReview(kubeConfig);
    return [
      await checkImdsIdentity(config, imds),
      ...(await checkKube(config, {
        readNode: async (name) => (await nodes.getNode(name)) !== undefined,
        review: (access) => review.review(access),
      })),
    ];
  } finally {
    imds.close();
    kubeConfig.destroy();
  }
}
