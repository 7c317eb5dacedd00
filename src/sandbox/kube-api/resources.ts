/** The resource types the simulator serves, as discovery lists them. */

/** One served resource type. */
export interface ResourceDef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  /** Has a `/status` subresource: main writes keep the old status, status writes keep the old spec. */
  readonly hasStatus: boolean;
  /** `metadata.generation` is bumped when the spec changes. */
  readonly generation: boolean;
  /** Objects of resources with the same storage key are one set (core and events.k8s.io events). */
  readonly storage: string;
  readonly verbs: readonly string[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function def(
  d: Partial<ResourceDef> & Pick<ResourceDef, 'group' | 'version' | 'plural' | 'kind'>,
): ResourceDef {
  return {
    singular: d.kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    hasStatus: false,
    generation: false,
    storage: d.group ? `${d.group}/${d.plural}` : d.plural,
    verbs: ALL_VERBS,
    ...d,
  };
}

/** Every resource type served. */
export const RESOURCES: readonly ResourceDef[] = [
  def({
    group: '',
    version: 'v1',
    plural: 'nodes',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    hasStatus: true,
  }),
  def({ group: '', version: 'v1', plural: 'pods', kind: 'Pod', shortNames: ['po'], hasStatus: true }),
  def({
    group: '',
    version: 'v1',
    plural: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    hasStatus: true,
  }),
  def({ group: '', version: 'v1', plural: 'events', kind: 'Event', shortNames: ['ev'] }),
  def({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] }),
  def({
    group: '',
    version: 'v1',
    plural: 'services',
    kind: 'Service',
    shortNames: ['svc'],
    hasStatus: true,
  }),
  def({ group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', shortNames: ['sa'] }),
  def({
    group: 'apps',
    version: 'v1',
    plural: 'daemonsets',
    kind: 'DaemonSet',
    shortNames: ['ds'],
    hasStatus: true,
    generation: true,
  }),
  def({
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    kind: 'ReplicaSet',
    shortNames: ['rs'],
    hasStatus: true,
    generation: true,
  }),
  def({
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    kind: 'Deployment',
    shortNames: ['deploy'],
    hasStatus: true,
    generation: true,
  }),
  def({
    group: 'apps',
    version: 'v1',
    plural: 'statefulsets',
    kind: 'StatefulSet',
    shortNames: ['sts'],
    hasStatus: true,
    generation: true,
  }),
  def({
    group: 'policy',
    version: 'v1',
    plural: 'poddisruptionbudgets',
    kind: 'PodDisruptionBudget',
    shortNames: ['pdb'],
    hasStatus: true,
    generation: true,
  }),
  def({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease' }),
  def({
    group: 'events.k8s.io',
    version: 'v1',
    plural: 'events',
    kind: 'Event',
    shortNames: ['ev'],
    storage: 'events',
  }),
];

/** Group versions served, in discovery order. */
export const GROUP_VERSIONS: readonly { group: string; version: string }[] = [
  { group: '', version: 'v1' },
  { group: 'apps', version: 'v1' },
  { group: 'policy', version: 'v1' },
  { group: 'coordination.k8s.io', version: 'v1' },
  { group: 'events.k8s.io', version: 'v1' },
];

const byPath = new Map(RESOURCES.map((r) => [`${r.group}/${r.version}/${r.plural}`, r]));

/** The resource served at group/version/plural. */
export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return byPath.get(`${group}/${version}/${plural}`);
}

/** The resource by group and plural at its served version (for code inside the simulator). */
export function resourceOf(group: string, plural: string): ResourceDef {
  const found = RESOURCES.find((r) => r.group === group && r.plural === plural);
  if (!found) throw new Error(`no resource ${group}/${plural}`);
  return found;
}

/** `apiVersion` string for a resource. */
export function apiVersionOf(r: ResourceDef): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}
