/** Discovery documents (/version, /api, /apis, resource lists) in the plain (non-aggregated) JSON form. */
import type { ResourceDef } from './resources.js';
import { GROUP_VERSIONS, RESOURCES } from './resources.js';

/** The version the simulator reports (close to what kubectl 1.32 expects, no skew warning). */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-spot-handler-sandbox',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-29T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function resourceEntry(r: ResourceDef): Record<string, unknown> {
  return {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
    ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
  };
}

function subresource(r: ResourceDef, sub: string, kind: string, verbs: string[], gv?: [string, string]) {
  return {
    name: `${r.plural}/${sub}`,
    singularName: '',
    namespaced: r.namespaced,
    ...(gv ? { group: gv[0], version: gv[1] } : {}),
    kind,
    verbs,
  };
}

/** `/api/v1`, `/apis/<group>/<version>` resource lists; undefined when not served. */
export function resourceList(group: string, version: string): Record<string, unknown> | undefined {
  const served = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (served.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of served) {
    resources.push(resourceEntry(r));
    if (r.hasStatus) resources.push(subresource(r, 'status', r.kind, ['get', 'patch', 'update']));
    if (r.plural === 'pods') {
      resources.push(subresource(r, 'eviction', 'Eviction', ['create'], ['policy', 'v1']));
      resources.push(subresource(r, 'binding', 'Binding', ['create']));
    }
    if (r.plural === 'deployments' || r.plural === 'replicasets' || r.plural === 'statefulsets') {
      resources.push(subresource(r, 'scale', 'Scale', ['get', 'patch', 'update'], ['autoscaling', 'v1']));
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

/** `/api`. */
export function coreVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(group: string): Record<string, unknown> {
  const versions = GROUP_VERSIONS.filter((g) => g.group === group).map((g) => ({
    groupVersion: `${group}/${g.version}`,
    version: g.version,
  }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** `/apis`. */
export function groupList(): Record<string, unknown> {
  const groups = [...new Set(GROUP_VERSIONS.map((g) => g.group).filter((g) => g !== ''))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupEntry) };
}

/** `/apis/<group>`; undefined when not served. */
export function groupInfo(group: string): Record<string, unknown> | undefined {
  if (!GROUP_VERSIONS.some((g) => g.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group) };
}
