/** The three patch types a real server accepts (JSON merge, strategic merge, JSON patch). */
import { ApiError, badRequest } from './status.js';
import { isRecord } from './types.js';

/** RFC 7386 JSON merge patch; returns a new value, sharing untouched subtrees. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** List fields merged by key in strategic merge patch (patchMergeKey in the Kubernetes types). */
const MERGE_KEYS: Record<string, string> = {
  conditions: 'type',
  addresses: 'type',
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  ownerReferences: 'uid',
  containerStatuses: 'name',
  initContainerStatuses: 'name',
  imagePullSecrets: 'name',
};

/** Primitive lists with patchStrategy merge (union). */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

function mergeKeyedList(target: unknown[], patch: unknown[], key: string): unknown[] {
  const out = [...target];
  for (const item of patch) {
    if (!isRecord(item)) continue;
    const id = item[key];
    const idx = out.findIndex((t) => isRecord(t) && t[key] === id);
    if (item['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMergePatch(out[idx], item);
    else out.push(strategicMergePatch({}, item));
  }
  return out;
}

function mergeField(key: string, current: unknown, value: unknown): unknown {
  if (Array.isArray(value)) {
    const mergeKey = MERGE_KEYS[key];
    if (mergeKey && Array.isArray(current)) return mergeKeyedList(current, value, mergeKey);
    if (MERGED_PRIMITIVE_LISTS.has(key) && Array.isArray(current))
      return [...new Set([...(current as unknown[]), ...(value as unknown[])])];
    return value;
  }
  return strategicMergePatch(current, value);
}

/** Strategic merge patch for the fields spot-handler and kubectl use (keyed lists, $patch directives). */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  if (patch['$patch'] === 'replace') {
    const { $patch: _omit, ...rest } = patch;
    return rest;
  }
  if (patch['$patch'] === 'delete') return undefined;
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const list = out[field];
      if (Array.isArray(list) && Array.isArray(v)) out[field] = list.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const merged = mergeField(k, out[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * A JSON patch that cannot be applied (failed test, missing path): the real server answers 422 with a
 * generic message and empty details, whatever the cause (`why` is kept only for the simulator's logs).
 */
function patchError(why: string): ApiError {
  const err = new ApiError(
    422,
    'Invalid',
    'the server rejected our request due to an error in our request',
    {},
  );
  err.stack = `${why}\n${err.stack ?? ''}`;
  return err;
}

function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string' || (pointer !== '' && !pointer.startsWith('/'))) {
    throw patchError(`invalid JSON pointer: ${String(pointer)}`);
  }
  return pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer);
}

function parent(doc: unknown, segs: string[]): { container: unknown; last: string } {
  let cur = doc;
  for (const s of segs.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isRecord(cur)) cur = cur[s];
    else cur = undefined;
    if (cur === undefined) throw patchError(`doc is missing path: /${segs.join('/')}`);
  }
  return { container: cur, last: segs[segs.length - 1] ?? '' };
}

function getAt(doc: unknown, segs: string[]): unknown {
  if (segs.length === 0) return doc;
  const { container, last } = parent(doc, segs);
  if (Array.isArray(container)) return container[Number(last)];
  return isRecord(container) ? container[last] : undefined;
}

function addAt(doc: unknown, segs: string[], value: unknown, replace: boolean): unknown {
  if (segs.length === 0) return value;
  const { container, last } = parent(doc, segs);
  if (Array.isArray(container)) {
    const idx = last === '-' ? container.length : Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx > container.length)
      throw patchError(`index out of range: ${last}`);
    if (replace) container[idx] = value;
    else container.splice(idx, 0, value);
  } else if (isRecord(container)) {
    if (replace && !(last in container))
      throw patchError(`replace operation does not apply: doc is missing key: /${segs.join('/')}`);
    container[last] = value;
  } else throw patchError(`doc is missing path: /${segs.join('/')}`);
  return doc;
}

function removeAt(doc: unknown, segs: string[]): unknown {
  const { container, last } = parent(doc, segs);
  if (Array.isArray(container)) {
    const idx = Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx >= container.length)
      throw patchError(`Unable to remove nonexistent key: ${last}: missing value`);
    container.splice(idx, 1);
  } else if (isRecord(container) && last in container) delete container[last];
  else throw patchError(`Unable to remove nonexistent key: ${last}: missing value`);
  return doc;
}

/** RFC 6902 JSON patch (add, remove, replace, test, move, copy); `doc` is copied first. */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops))
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let out = structuredClone(doc);
  for (const op of ops) {
    if (!isRecord(op)) throw badRequest('json: cannot unmarshal into Go value of type jsonpatch.Operation');
    const segs = parsePointer(op['path']);
    const value = structuredClone(op['value']);
    switch (op['op']) {
      case 'add':
        out = addAt(out, segs, value, false);
        break;
      case 'replace':
        out = addAt(out, segs, value, true);
        break;
      case 'remove':
        out = removeAt(out, segs);
        break;
      case 'test':
        if (JSON.stringify(getAt(out, segs)) !== JSON.stringify(op['value'])) {
          throw patchError(`testing value /${segs.join('/')} failed: test failed`);
        }
        break;
      case 'move':
      case 'copy': {
        const from = parsePointer(op['from']);
        const moved = structuredClone(getAt(out, from));
        if (moved === undefined) throw patchError(`doc is missing from path: ${String(op['from'])}`);
        if (op['op'] === 'move') out = removeAt(out, from);
        out = addAt(out, segs, moved, false);
        break;
      }
      default:
        throw badRequest(`Unexpected kind: ${String(op['op'])}`);
    }
  }
  return out;
}
