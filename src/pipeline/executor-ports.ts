/**
 * The ports the executor needs besides the node actuator (STYLE rule 1: declared by their consumer).
 * Adapters live in src/report, src/actions and src/kube; the composition root (src/app.ts) joins them.
 */
import type { EventKind, InterruptionEvent, LifecycleHookRef } from '../events/interruption-event.js';
import type { DrainResult } from './node-actuator-port.js';

/** When a webhook may fire. */
export type NotifyTrigger = 'start' | 'success' | 'failure';

/** What the instance is, for webhooks (NTH's NodeMetadata): from IMDS, or EC2 DescribeInstances. */
export interface InstanceFacts {
  readonly accountId?: string;
  /** `spot`, `on-demand` or `scheduled` (IMDS instance-life-cycle). */
  readonly instanceLifeCycle?: string;
  readonly localHostname?: string;
  readonly localIp?: string;
  readonly publicHostname?: string;
  readonly publicIp?: string;
}

/** Everything a webhook template can show about one node action. */
export interface ActionReport {
  readonly kind: EventKind;
  readonly eventId: string;
  readonly instanceId: string;
  readonly nodeName: string;
  readonly description: string;
  readonly region?: string;
  readonly availabilityZone?: string;
  readonly instanceType?: string;
  readonly deadlineMs: number;
  /** When a scheduled change's window ends (NTH's `.EndTime`). */
  readonly endAtMs?: number;
  readonly noticedAtMs: number;
  /** Account, life cycle, hostnames and IPs of the instance, when known. */
  readonly instance?: InstanceFacts;
  /** Ids of every message merged into this action. */
  readonly mergedEventIds: readonly string[];
  /** Where the notice came from (NTH's `.Monitor`), the ASG, and the node's provider id and labels. */
  readonly source?: 'imds' | 'sqs';
  readonly autoScalingGroupName?: string;
  readonly providerId?: string;
  readonly nodeLabels?: Readonly<Record<string, string>>;
  readonly result?: 'succeeded' | 'forced' | 'blocked' | 'timed_out' | 'failed' | 'cordoned';
  readonly drain?: DrainResult;
  readonly error?: string;
}

/** Sends notifications (webhooks). Returns true when delivered; never throws. */
export interface Notifier {
  sendWebhook(trigger: NotifyTrigger, report: ActionReport): Promise<boolean>;
}

/** A step worth a Kubernetes Event on the node. */
export type NodeStepReport =
  | { readonly step: 'notice'; readonly event: InterruptionEvent }
  | { readonly step: 'tainted' | 'cordoned' | 'drain-started' | 'uncordoned' | 'lifecycle-completed' }
  | { readonly step: 'drained'; readonly drain: DrainResult }
  | { readonly step: 'drain-failed'; readonly drain?: DrainResult; readonly error?: string };

/** Records node steps (Kubernetes Events). Never throws. */
export interface StepRecorder {
  recordStep(nodeName: string, report: NodeStepReport, event: InterruptionEvent): Promise<void>;
}

/** ASG lifecycle hooks: completion and heartbeats. */
export interface AsgHookPort {
  /** CompleteLifecycleAction CONTINUE; idempotent. */
  complete(hook: LifecycleHookRef): Promise<void>;
  /** Sends heartbeats until the signal aborts. */
  startHeartbeats(hook: LifecycleHookRef, signal: AbortSignal): void;
}

/** Finds the node of an instance (queue mode); undefined when it is not a node of this cluster. */
export interface NodeResolver {
  resolve(event: InterruptionEvent): Promise<string | undefined>;
}

/** Waits for a launching instance's node to be Ready (ASG launch hooks). */
export interface ReadinessWaiter {
  waitForReady(instanceId: string, timeoutMs: number, signal: AbortSignal): Promise<boolean>;
}
