/** A drain in dry-run mode: logs what it would do to each pod and reports it; changes nothing. */
import type { Logger } from 'pino';
import type { BlockingPod } from '../../pipeline/node-actuator-port.js';
import type { ActuatorOptions } from '../actuator-options.js';
import type { KubePod, PodList } from '../kube-types.js';
import type { DrainOutcome } from './drain-outcome.js';
import { decidePod, refusalMessage, refusals, REFUSAL_TEXT } from './pod-filters.js';
import { tierPods } from './pod-tiers.js';

/** What a dry run reads. */
export interface DryRunInput {
  readonly list: PodList;
  readonly nodeName: string;
  readonly urgent: boolean;
  /** DaemonSets of the node's pods that no longer exist. */
  readonly orphaned: ReadonlySet<string>;
  readonly options: ActuatorOptions;
  readonly logger: Logger;
}

/** The outcome a drain would have, pod by pod logged. */
export function dryRunDrain(input: DryRunInput): DrainOutcome {
  const { options, logger } = input;
  const planned: KubePod[] = [];
  const refused: BlockingPod[] = [];
  for (const pod of input.list.pods) {
    const decision = decidePod(pod, input.nodeName, options, input.orphaned);
    logger.info(
      { pod: `${pod.namespace}/${pod.name}`, ...decision, dryRun: true },
      'dry run: would act on pod',
    );
    if (decision.action === 'refuse') {
      refused.push({
        namespace: pod.namespace,
        name: pod.name,
        reason: decision.reason,
        message: REFUSAL_TEXT[decision.reason],
      });
    } else if (decision.action !== 'skip') planned.push(pod);
  }
  const { doNotDisrupt } = tierPods(planned, input.urgent, options.criticalPriorityThreshold);
  const blockedBy = doNotDisrupt.map((p): BlockingPod => ({
    namespace: p.namespace,
    name: p.name,
    reason: 'do-not-disrupt',
    message: 'dry run',
  }));
  return {
    result: refused.length > 0 ? 'failed' : 'succeeded',
    podsEvicted: 0,
    podsForceDeleted: 0,
    podsRemaining: planned.length + refused.length,
    blockedBy: [...refused, ...blockedBy],
    ...(refused.length > 0 ? { error: refusalMessage(refusals(refused)) } : {}),
  };
}
