/** Label and field selectors, parsed once per request and matched per object. */
import type { KubeObject } from './types.js';
import { isRecord } from './types.js';
import { badRequest } from './status.js';

/** A parsed selector: a predicate over objects. */
export type Matcher = (obj: KubeObject) => boolean;

interface LabelRequirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!exists';
  values: readonly string[];
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseRequirement(part: string): LabelRequirement {
  const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
  if (setMatch) {
    const values = (setMatch[3] ?? '').split(',').map((v) => v.trim());
    return { key: setMatch[1] ?? '', op: setMatch[2] === 'in' ? 'in' : 'notin', values };
  }
  const opMatch = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
  if (opMatch) {
    const values = [opMatch[3] ?? ''];
    return { key: opMatch[1] ?? '', op: opMatch[2] === '!=' ? 'notin' : 'in', values };
  }
  if (/^![^=!\s(),]+$/.test(part)) return { key: part.slice(1), op: '!exists', values: [] };
  if (/^[^=!\s(),]+$/.test(part)) return { key: part, op: 'exists', values: [] };
  throw badRequest(`unable to parse requirement: ${part}`);
}

function matchRequirement(labels: Record<string, string>, r: LabelRequirement): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.op) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case 'in':
      return has && r.values.includes(labels[r.key] ?? '');
    case 'notin':
      return !has || !r.values.includes(labels[r.key] ?? '');
  }
}

/** Parses a `labelSelector` query value (=, ==, !=, in, notin, exists, !exists). */
export function parseLabelSelector(text: string | null | undefined): Matcher | undefined {
  if (!text) return undefined;
  const reqs = splitTopLevel(text).map(parseRequirement);
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return reqs.every((r) => matchRequirement(labels, r));
  };
}

/** A LabelSelector object (matchLabels + matchExpressions) as used in PDBs and workloads. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Matcher for a LabelSelector object; undefined selector matches nothing, empty `{}` matches everything. */
export function selectorObjectMatcher(sel: unknown): (labels: Record<string, string>) => boolean {
  if (!isRecord(sel)) return () => false;
  const s = sel as LabelSelectorObject;
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(s.matchLabels ?? {}))
    reqs.push({ key, op: 'in', values: [value] });
  for (const e of s.matchExpressions ?? []) {
    const op = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!exists' }[e.operator];
    if (!op) return () => false;
    reqs.push({ key: e.key, op: op as LabelRequirement['op'], values: e.values ?? [] });
  }
  return (labels) => reqs.every((r) => matchRequirement(labels, r));
}

type FieldGetter = (obj: KubeObject) => string;

function path(...keys: string[]): FieldGetter {
  return (obj) => {
    let cur: unknown = obj;
    for (const k of keys) cur = isRecord(cur) ? cur[k] : undefined;
    if (cur === undefined || cur === null) return '';
    return typeof cur === 'string' ? cur : JSON.stringify(cur);
  };
}

const META_FIELDS: Record<string, FieldGetter> = {
  'metadata.name': path('metadata', 'name'),
  'metadata.namespace': path('metadata', 'namespace'),
};

const EVENT_OBJECT_FIELDS = [
  'kind',
  'namespace',
  'name',
  'uid',
  'apiVersion',
  'resourceVersion',
  'fieldPath',
];

function eventFields(prefix: string): Record<string, FieldGetter> {
  const fields: Record<string, FieldGetter> = { ...META_FIELDS, reason: path('reason'), type: path('type') };
  for (const f of EVENT_OBJECT_FIELDS) fields[`${prefix}.${f}`] = path('involvedObject', f);
  return fields;
}

/** Field selector keys each resource supports (storage key → getters over the stored form). */
const FIELDS: Record<string, Record<string, FieldGetter>> = {
  pods: {
    ...META_FIELDS,
    'spec.nodeName': path('spec', 'nodeName'),
    'spec.restartPolicy': path('spec', 'restartPolicy'),
    'spec.schedulerName': path('spec', 'schedulerName'),
    'spec.serviceAccountName': path('spec', 'serviceAccountName'),
    'status.phase': path('status', 'phase'),
    'status.podIP': path('status', 'podIP'),
    'status.nominatedNodeName': path('status', 'nominatedNodeName'),
  },
  nodes: {
    ...META_FIELDS,
    'spec.unschedulable': (o) => (o.spec?.['unschedulable'] === true ? 'true' : 'false'),
  },
  'core-events': {
    ...eventFields('involvedObject'),
    source: path('source', 'component'),
    reportingComponent: path('reportingComponent'),
  },
  'events.k8s.io-events': eventFields('regarding'),
};

/** A parsed field selector plus the `spec.nodeName=X` value when present (for the pod index). */
export interface FieldSelector {
  readonly match: Matcher;
  readonly nodeName?: string;
}

/** Parses a `fieldSelector` query value for a resource; unknown fields give 400 like the real server. */
export function parseFieldSelector(
  text: string | null | undefined,
  fieldSet: string,
): FieldSelector | undefined {
  if (!text) return undefined;
  const fields = FIELDS[fieldSet] ?? META_FIELDS;
  const terms: { get: FieldGetter; value: string; negate: boolean }[] = [];
  let nodeName: string | undefined;
  for (const part of splitTopLevel(text)) {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const [, key = '', op, value = ''] = m;
    const get = fields[key];
    if (!get) throw badRequest(`field label not supported: ${key}`);
    if (key === 'spec.nodeName' && op !== '!=') nodeName = value;
    terms.push({ get, value, negate: op === '!=' });
  }
  const match: Matcher = (obj) => terms.every((t) => (t.get(obj) === t.value) !== t.negate);
  return nodeName === undefined ? { match } : { match, nodeName };
}
