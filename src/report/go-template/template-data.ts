/**
 * What a webhook template can read: our fields (camelCase, `{{ kind }}` or `{{ .kind }}`) and NTH's
 * webhook data fields (its InterruptionEvent and IMDS NodeMetadata, `{{ .EventID }}`, `{{ .Pods }}`),
 * with NTH's values where they differ (`.Kind` is "SPOT_ITN", `.Monitor` "SQS_MONITOR"). Pure.
 */
import type { BlockingPod, SurgeReport } from '../../pipeline/node-actuator-port.js';
import { surgesText } from '../surge-text.js';
import { GoTime, type Value } from './go-format.js';
import type { FieldResolver } from './template-exec.js';

/** Which moment of a node action a webhook reports. */
export type WebhookTrigger = 'start' | 'success' | 'failure';

/** The data a webhook body can use. Times are ms since epoch; rendered as RFC 3339 UTC. */
export interface TemplateData {
  readonly kind: string;
  readonly eventId: string;
  readonly instanceId: string;
  readonly node?: string;
  readonly region?: string;
  readonly availabilityZone?: string;
  readonly instanceType?: string;
  readonly deadlineMs?: number;
  readonly noticedAtMs?: number;
  readonly result?: string;
  readonly trigger: WebhookTrigger;
  readonly podsEvicted?: number;
  readonly podsForceDeleted?: number;
  readonly blockedBy?: readonly BlockingPod[];
  /** Surge-before-evict outcomes (docs/surge-before-evict.md). */
  readonly surges?: readonly SurgeReport[];
  readonly durationSeconds?: number;
  readonly description?: string;
  readonly clusterName?: string;
  /** 'imds' or 'sqs': decides NTH's `.Monitor`. */
  readonly source?: string;
  readonly autoScalingGroupName?: string;
  readonly providerId?: string;
  readonly nodeLabels?: Readonly<Record<string, string>>;
  /** Names of the pods the drain acted on (NTH: the pods on the node). */
  readonly pods?: readonly string[];
  /** The instance is ours to act on (queue mode checks tags / node membership; IMDS mode: always). */
  readonly isManaged?: boolean;
  /** When the event ends (scheduled maintenance NotAfter), ms since epoch. */
  readonly endTimeMs?: number;
  /** Scheduled event state (NTH `.State`), or the EC2 state of a state-change notice. */
  readonly state?: string;
  /** Facts of the instance: from IMDS (IMDS mode) or EC2 DescribeInstances (queue mode). */
  readonly accountId?: string;
  readonly instanceLifeCycle?: string;
  readonly publicHostname?: string;
  readonly publicIp?: string;
  readonly localHostname?: string;
  readonly localIp?: string;
}

/** At most this many blocking pods are listed in `blockedBy`. */
const MAX_BLOCKERS_LISTED = 10;

const NTH_KIND: Readonly<Record<string, string>> = {
  'spot-interruption': 'SPOT_ITN',
  'rebalance-recommendation': 'REBALANCE_RECOMMENDATION',
  'scheduled-maintenance': 'SCHEDULED_EVENT',
  'asg-termination': 'ASG_LIFECYCLE',
  'asg-launch': 'ASG_LAUNCH_LIFECYCLE',
  'state-change': 'STATE_CHANGE',
};

const IMDS_MONITOR: Readonly<Record<string, string>> = {
  'spot-interruption': 'SPOT_ITN_MONITOR',
  'rebalance-recommendation': 'REBALANCE_RECOMMENDATION_MONITOR',
  'scheduled-maintenance': 'SCHEDULED_EVENT_MONITOR',
  'asg-termination': 'ASG_LIFECYCLE_MONITOR',
};

function blockersText(blockers: readonly BlockingPod[]): string {
  const shown = blockers
    .slice(0, MAX_BLOCKERS_LISTED)
    .map((b) => `${b.namespace}/${b.name}${b.pdb ? ` (PDB ${b.pdb})` : ''}: ${b.reason}`);
  const more = blockers.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

const time = (ms: number | undefined): Value => (ms === undefined ? new GoTime(0) : new GoTime(ms));

/** NTH's field names (exact spelling) and their values. */
function nthFields(d: TemplateData): Map<string, Value> {
  const monitor = d.source === 'sqs' ? 'SQS_MONITOR' : (IMDS_MONITOR[d.kind] ?? '');
  return new Map<string, Value>([
    ['EventID', d.eventId],
    ['Kind', NTH_KIND[d.kind] ?? d.kind],
    ['Monitor', monitor],
    ['Description', d.description ?? ''],
    ['State', d.state ?? ''],
    ['AutoScalingGroupName', d.autoScalingGroupName ?? ''],
    ['NodeName', d.node ?? ''],
    ['NodeLabels', new Map(Object.entries(d.nodeLabels ?? {}))],
    ['Pods', [...(d.pods ?? [])]],
    ['InstanceID', d.instanceId],
    ['ProviderID', d.providerId ?? ''],
    ['InstanceType', d.instanceType ?? ''],
    ['IsManaged', d.isManaged ?? true],
    ['StartTime', time(d.deadlineMs)],
    ['EndTime', time(d.endTimeMs)],
    ['NodeProcessed', d.trigger !== 'start'],
    ['InProgress', d.trigger === 'start'],
    ['AccountId', d.accountId ?? ''],
    ['InstanceLifeCycle', d.instanceLifeCycle ?? ''],
    ['PublicHostname', d.publicHostname ?? ''],
    ['PublicIP', d.publicIp ?? ''],
    ['LocalHostname', d.localHostname ?? ''],
    ['LocalIP', d.localIp ?? ''],
    ['AvailabilityZone', d.availabilityZone ?? ''],
    ['Region', d.region ?? ''],
  ]);
}

/** Our own field names; absent values are undefined (so `default` applies). */
function ownFields(d: TemplateData): Map<string, Value> {
  const opt = <T>(v: T | undefined, f: (x: T) => Value): Value => (v === undefined ? undefined : f(v));
  return new Map<string, Value>([
    ['kind', d.kind],
    ['eventId', d.eventId],
    ['instanceId', d.instanceId],
    ['node', d.node],
    ['region', d.region],
    ['availabilityZone', d.availabilityZone],
    ['instanceType', d.instanceType],
    ['deadline', opt(d.deadlineMs, (ms) => new GoTime(ms))],
    ['noticedAt', opt(d.noticedAtMs, (ms) => new GoTime(ms))],
    ['result', d.result],
    ['trigger', d.trigger],
    ['podsEvicted', d.podsEvicted],
    ['podsForceDeleted', d.podsForceDeleted],
    ['blockedBy', opt(d.blockedBy, blockersText)],
    ['surges', opt(d.surges && d.surges.length > 0 ? d.surges : undefined, surgesText)],
    ['durationSeconds', opt(d.durationSeconds, (s) => Math.round(s * 10) / 10)],
    ['description', d.description],
    ['clusterName', d.clusterName],
  ]);
}

/** Alternative spellings of our fields (compared lower-case, alphanumerics only). */
const OWN_ALIASES: ReadonlyMap<string, string> = new Map([
  ['nodename', 'node'],
  ['starttime', 'deadline'],
]);

const squash = (name: string): string => name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();

/** Every name the root answers to (for the unknown-field warning at start-up). */
export function isKnownField(name: string): boolean {
  return ROOT_NAMES.has(name) || ROOT_NAMES.has(squash(name));
}

const SAMPLE: TemplateData = { kind: '', eventId: '', instanceId: '', trigger: 'start' };
const ROOT_NAMES = new Set([
  ...nthFields(SAMPLE).keys(),
  ...[...ownFields(SAMPLE).keys()].flatMap((k) => [k, squash(k)]),
  ...[...nthFields(SAMPLE).keys()].map(squash),
  ...OWN_ALIASES.keys(),
]);

/** The template root: NTH's exact names first, then ours, then case-insensitive spellings of either. */
export function templateRoot(data: TemplateData): FieldResolver {
  const nth = nthFields(data);
  const own = ownFields(data);
  const byLower = new Map<string, Value>();
  for (const [k, v] of nth) byLower.set(squash(k), v);
  for (const [k, v] of own) byLower.set(squash(k), v);
  for (const [alias, target] of OWN_ALIASES) byLower.set(alias, own.get(target));
  return {
    resolve: (name: string): Value => {
      if (nth.has(name)) return nth.get(name);
      if (own.has(name)) return own.get(name);
      return byLower.get(squash(name));
    },
  };
}
