/**
 * The Kubernetes half of `spot-handler check`: the node the mode reads (its own node in IMDS mode, the
 * node list in queue mode), then one SelfSubjectAccessReview per grant in `kubeAccessNeeded`.
 */
import type { Config } from '../config/config-types.js';
import type { AccessReviewAnswer } from '../kube/access-review.js';
import { kubeAccessNeeded, type KubeAccess } from '../kube/kube-access.js';
import { failedItem, type CheckItem } from './check-list.js';

/** What the Kubernetes checks call (built on client-node by check-imds.ts / check-queue.ts). */
export interface KubeCheckPort {
  /** IMDS mode: reads this node; false when it does not exist. */
  readNode?(name: string): Promise<boolean>;
  /** Queue mode: lists the nodes; their count. */
  listNodes?(): Promise<number>;
  review(access: KubeAccess): Promise<AccessReviewAnswer>;
}

/** `verb resource` with group, namespace and name when set: `update coordination.k8s.io/leases kube-system/x`. */
export function describeAccess(a: KubeAccess): string {
  const resource = a.group ? `${a.group}/${a.resource}` : a.resource;
  const scope = a.namespace ? ` in ${a.namespace}${a.name ? `/${a.name}` : ''}` : '';
  return `${a.verb} ${resource}${scope}`;
}

/** The RBAC change that grants `a`. */
export function grantFix(a: KubeAccess): string {
  const group = a.group ? ` in API group "${a.group}"` : ' in the core API group ("")';
  const where = a.namespace ? `the Role in namespace ${a.namespace}` : 'the ClusterRole';
  const name = a.name ? ` (resourceNames: [${a.name}])` : '';
  return `grant verb "${a.verb}" on resource "${a.resource}"${group}${name} to ${where} bound to this ServiceAccount (chart: rbac.create=true)`;
}

async function nodeItem(config: Config, port: KubeCheckPort): Promise<CheckItem> {
  try {
    if (config.mode === 'imds') {
      const name = config.general.nodeName;
      if (!name) {
        return {
          status: 'fail',
          what: 'read this node',
          detail: 'NODE_NAME is not set',
          fix: 'set NODE_NAME from the downward API (spec.nodeName)',
        };
      }
      const found = (await port.readNode?.(name)) ?? false;
      return found
        ? { status: 'ok', what: `read this node`, detail: name }
        : {
            status: 'fail',
            what: 'read this node',
            detail: `node ${name} not found`,
            fix: 'NODE_NAME must be the name of the node the pod runs on',
          };
    }
    const count = (await port.listNodes?.()) ?? 0;
    return { status: 'ok', what: 'list nodes', detail: `${count} node(s)` };
  } catch (err) {
    return failedItem(config.mode === 'imds' ? 'read this node' : 'list nodes', err);
  }
}

/** The Kubernetes checklist items for `config`'s mode. */
export async function checkKube(config: Config, port: KubeCheckPort): Promise<CheckItem[]> {
  const items: CheckItem[] = [await nodeItem(config, port)];
  for (const access of kubeAccessNeeded(config)) {
    const what = `may ${describeAccess(access)} (${access.why})`;
    try {
      const answer = await port.review(access);
      items.push(
        answer.allowed
          ? { status: 'ok', what }
          : {
              status: 'fail',
              what,
              detail: `not allowed${answer.reason ? ` (${answer.reason})` : ''}`,
              fix: grantFix(access),
            },
      );
    } catch (err) {
      // the review itself failed (no credentials, API server unreachable): the others would fail alike
      items.push(failedItem(what, err));
      break;
    }
  }
  return items;
}
