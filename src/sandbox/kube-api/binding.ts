/** The pods/binding subresource (what a scheduler posts to bind a pod to a node). */
import type { SubresourceHandler } from './dispatch.js';
import type { ObjectOps } from './object-ops.js';
import { core } from './object-ops.js';
import { badRequest, conflict } from './status.js';
import { isRecord, podNodeName } from './types.js';

/** Binds a pending pod: 409 when it is already bound or being deleted. */
export function bindingHandler(ops: ObjectOps): SubresourceHandler {
  return (target, body) => {
    const ns = target.namespace ?? '';
    const name = target.name ?? '';
    const nodeName = isRecord(body) && isRecord(body['target']) ? body['target']['name'] : undefined;
    if (typeof nodeName !== 'string' || nodeName === '') throw badRequest('target.name: Required value');
    const pod = ops.get(core.pods, ns, name);
    if (pod.metadata.deletionTimestamp !== undefined)
      throw conflict('pods', '', name, 'pod is being deleted, cannot be assigned to a host');
    if (podNodeName(pod) !== '')
      throw conflict('pods', '', name, `pod ${name} is already assigned to node "${podNodeName(pod)}"`);
    ops.store.put(core.pods.storage, {
      ...pod,
      metadata: { ...pod.metadata },
      spec: { ...pod.spec, nodeName },
    });
    return {
      code: 201,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 },
    };
  };
}
