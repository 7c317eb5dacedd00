/** Event validation and the core/v1 ⇄ events.k8s.io/v1 conversion (both APIs share one storage). */
import type { ResourceDef } from './resources.js';
import type { KubeObject } from './types.js';
import type { StatusCause } from './status.js';
import { invalid } from './status.js';

const RENAMES: readonly [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['deprecatedSource', 'source'],
  ['reportingController', 'reportingComponent'],
];

/** events.k8s.io/v1 form → stored core/v1 form. */
export function eventToCore(obj: KubeObject): KubeObject {
  const out: KubeObject = { ...obj, apiVersion: 'v1', kind: 'Event' };
  for (const [from, to] of RENAMES) {
    if (from in out) {
      out[to] = out[from];
      delete out[from];
    }
  }
  return out;
}

/** Stored core/v1 form → events.k8s.io/v1 form. */
export function eventFromCore(obj: KubeObject): KubeObject {
  const out: KubeObject = { ...obj, apiVersion: 'events.k8s.io/v1', kind: 'Event' };
  for (const [to, from] of RENAMES) {
    if (from in out) {
      out[to] = out[from];
      delete out[from];
    }
  }
  return out;
}

function required(field: string): StatusCause {
  return { reason: 'FieldValueRequired', message: 'Required value', field };
}

function str(obj: KubeObject, key: string): string {
  const v = obj[key];
  return typeof v === 'string' ? v : '';
}

/**
 * Validates an Event in its stored (core) form like the real server (422 on failure). `nameCauses`
 * (metadata.name/generateName) come after the legacy checks, as upstream orders them. The Status names
 * the internal kind `Event` with no group for both APIs, as the real server does.
 */
export function validateEvent(def: ResourceDef, obj: KubeObject, nameCauses: StatusCause[]): void {
  const strict = def.group === 'events.k8s.io';
  const causes: StatusCause[] = [];
  const eventTime = str(obj, 'eventTime');
  const ns = obj.metadata.namespace ?? '';
  const involved = (obj['involvedObject'] ?? {}) as Record<string, unknown>;
  const involvedNs = typeof involved['namespace'] === 'string' ? involved['namespace'] : '';
  if (eventTime === '') {
    if (strict) causes.push(required('eventTime'));
    else if (involvedNs === '' ? ns !== '' && ns !== 'default' : ns !== involvedNs) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${involvedNs}": does not match event.namespace`,
        field: 'involvedObject.namespace',
      });
    }
  }
  if (eventTime !== '') {
    if (involvedNs === '' && ns !== 'default' && ns !== 'kube-system') {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: "": does not match event.namespace`,
        field: 'involvedObject.namespace',
      });
    }
    if (str(obj, 'reportingComponent') === '')
      causes.push(required(strict ? 'reportingController' : 'reportingComponent'));
    if (str(obj, 'reportingInstance') === '') causes.push(required('reportingInstance'));
    if (str(obj, 'action') === '') causes.push(required('action'));
    if (str(obj, 'reason') === '') causes.push(required('reason'));
  }
  // core/v1 names only get the generic check, and only once the legacy checks pass.
  if (strict || causes.length === 0) causes.push(...nameCauses);
  if (strict && str(obj, 'type') !== 'Normal' && str(obj, 'type') !== 'Warning') {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "": has invalid value: ${str(obj, 'type')}`,
      field: 'type',
    });
  }
  if (str(obj, 'message').length > 1024 && strict) {
    causes.push({
      reason: 'FieldValueTooLong',
      message: 'Too long: may not be longer than 1024',
      field: 'note',
    });
  }
  if (causes.length > 0) throw invalid('Event', '', obj.metadata.name ?? '', causes);
}
