/**
 * metadata.name / metadata.generateName validation as a real API server (v1.24) does it on create:
 * each kind validates its names with its own rule (most: DNS subdomain; namespaces: DNS label;
 * services: DNS-1035 label); PodDisruptionBudgets and core/v1 Events only get the generic
 * path-segment check. Messages and cause order are the real server's.
 */
import type { ResourceDef } from './resources.js';
import type { StatusCause } from './status.js';

/** How a kind's names are validated. */
export type NameRule = 'subdomain' | 'label' | 'dns1035' | 'path-segment';

const SUBDOMAIN_RE = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const LABEL_RE = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1035_RE = '[a-z]([-a-z0-9]*[a-z0-9])?';

const SUBDOMAIN_MSG = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${SUBDOMAIN_RE}')`;
const LABEL_MSG = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${LABEL_RE}')`;
const DNS1035_MSG = `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '${DNS1035_RE}')`;

/** The real generator cuts the prefix to 58 characters before adding 5 random ones. */
export const MAX_GENERATED_PREFIX = 58;

/** The name rule of a kind (events.k8s.io Events validate names strictly; core/v1 Events do not). */
export function nameRuleOf(def: ResourceDef): NameRule {
  if (def.plural === 'namespaces') return 'label';
  if (def.plural === 'services') return 'dns1035';
  if (def.plural === 'poddisruptionbudgets') return 'path-segment';
  if (def.storage === 'events') return def.group === 'events.k8s.io' ? 'subdomain' : 'path-segment';
  return 'subdomain';
}

/** A generateName may end in '-' (the suffix follows); upstream masks it, dropping the char before too. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

const COMPILED = new Map<string, RegExp>(
  [SUBDOMAIN_RE, LABEL_RE, DNS1035_RE].map((re) => [re, new RegExp(`^${re}$`)]),
);

function matches(re: string, value: string): boolean {
  return COMPILED.get(re)?.test(value) ?? false;
}

function ruleMessages(rule: NameRule, value: string, prefix: boolean): string[] {
  if (rule === 'path-segment') {
    if (!prefix && (value === '.' || value === '..')) return [`may not be '${value}'`];
    return ['/', '%'].filter((c) => value.includes(c)).map((c) => `may not contain '${c}'`);
  }
  const v = prefix ? maskTrailingDash(value) : value;
  const [max, re, msg] =
    rule === 'subdomain'
      ? [253, SUBDOMAIN_RE, SUBDOMAIN_MSG]
      : rule === 'label'
        ? [63, LABEL_RE, LABEL_MSG]
        : [63, DNS1035_RE, DNS1035_MSG];
  const out: string[] = [];
  if (v.length > max) out.push(`must be no more than ${max} characters`);
  if (!matches(re, v)) out.push(msg);
  return out;
}

function invalidCause(field: string, value: string, message: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: "${value}": ${message}`, field };
}

/** Causes for metadata.generateName then metadata.name (empty when both are valid). */
export function nameCauses(rule: NameRule, name: string, generateName: string | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  if (generateName) {
    for (const m of ruleMessages(rule, generateName, true))
      causes.push(invalidCause('metadata.generateName', generateName, m));
  }
  if (name === '') {
    causes.push({
      reason: 'FieldValueRequired',
      message: 'Required value: name or generateName is required',
      field: 'metadata.name',
    });
  } else {
    for (const m of ruleMessages(rule, name, false)) causes.push(invalidCause('metadata.name', name, m));
  }
  return causes;
}
