/** Maps request paths to resources: /api/v1/..., /apis/<group>/<version>/..., with optional /watch/ prefix. */
import type { ResourceDef } from './resources.js';
import { findResource } from './resources.js';

/** A parsed resource request path. */
export interface ResourceTarget {
  readonly def: ResourceDef;
  /** Namespace from the path; undefined for cluster-scoped or all-namespaces requests. */
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  /** The path used the legacy `/watch/` prefix. */
  readonly watchPrefix: boolean;
}

/** Parses a resource path; undefined when it is not one. */
export function parseResourcePath(path: string): ResourceTarget | undefined {
  const segs = path
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1] ?? '';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1] ?? '';
    version = segs[2] ?? '';
    rest = segs.slice(3);
  } else return undefined;
  const watchPrefix = rest[0] === 'watch';
  if (watchPrefix) rest = rest.slice(1);
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const def = findResource(group, version, rest[2] ?? '');
    if (def) return target(def, rest[1], rest[3], rest[4], watchPrefix, rest.length <= 5);
    const nsDef = findResource(group, version, 'namespaces');
    if (nsDef && rest.length === 3) return target(nsDef, undefined, rest[1], rest[2], watchPrefix, true);
    return undefined;
  }
  const def = findResource(group, version, rest[0] ?? '');
  if (!def) return undefined;
  return target(def, undefined, rest[1], rest[2], watchPrefix, rest.length <= 3);
}

function target(
  def: ResourceDef,
  namespace: string | undefined,
  name: string | undefined,
  subresource: string | undefined,
  watchPrefix: boolean,
  ok: boolean,
): ResourceTarget | undefined {
  if (!ok) return undefined;
  if (namespace !== undefined && !def.namespaced) return undefined;
  return {
    def,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
    watchPrefix,
  };
}
