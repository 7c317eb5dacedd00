/**
 * RBAC derived from the code: the Kubernetes API calls each mode can make (client-node methods and Watch
 * paths in the files the mode loads) must match what the Helm chart grants, with nothing missing and
 * nothing extra. Also: no secrets access, and SDK imports only where STYLE rule 1 allows them.
 */
import * as clientNode from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { grantKey, KUBE_CALL_GRANTS, kubeAccessNeeded } from '../../../src/kube/kube-access.js';
import { containerEnv, only, queueValues, renderChart, type K8sObject } from '../packaging/helm.js';
import {
  allImports,
  methodCalls,
  namesImportedFrom,
  readSource,
  runtimeClosure,
  sourceFiles,
} from './source-graph.js';

const KUBE = '@kubernetes/client-node';

/** client-node `Class.method` → `group/resource:verb`: the table in src/ the check command uses too. */
const CALLS = KUBE_CALL_GRANTS;

/**
 * Grants the chart (and docs/plan/contracts.md) keep although no code path makes the call. Listed so a new
 * extra grant fails; each one here is reported to the lead as a least-privilege question.
 */
const KNOWN_UNUSED_GRANTS: Readonly<Record<'imds' | 'queue', readonly string[]>> = { imds: [], queue: [] };

interface Derived {
  readonly grants: Set<string>;
  readonly unmapped: string[];
  readonly files: string[];
}

function apiClasses(text: string): Map<string, Set<string>> {
  const classes = new Map<string, Set<string>>();
  const exports = clientNode as unknown as Record<string, unknown>;
  for (const name of namesImportedFrom(text, KUBE)) {
    const cls = exports[name];
    if (!name.endsWith('Api') || typeof cls !== 'function') continue;
    const proto = (cls as { prototype: object }).prototype;
    classes.set(name, new Set(Object.getOwnPropertyNames(proto).filter((m) => m !== 'constructor')));
  }
  return classes;
}

/** `/api/v1/pods` → `/pods:watch`; `/apis/apps/v1/daemonsets` → `apps/daemonsets:watch`. */
function watchGrant(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  const [root, ...rest] = parts;
  const group = root === 'api' ? '' : (rest.shift() ?? '');
  const afterVersion = rest.slice(1);
  const resource = afterVersion[0] === 'namespaces' ? afterVersion[2] : afterVersion[0];
  return `${group}/${resource ?? '?'}:watch`;
}

/** The API calls the files a mode loads can make, and those `spot-handler check` in that mode makes. */
function deriveCalls(mode: 'imds' | 'queue'): Derived {
  const closure = new Set([
    ...runtimeClosure(`src/modes/${mode}-mode.ts`),
    ...runtimeClosure(`src/commands/check-${mode}.ts`),
  ]);
  const files = [...closure].filter((f) => allImports(readSource(f)).includes(KUBE));
  const grants = new Set<string>();
  const unmapped: string[] = [];
  for (const file of files) {
    const text = readSource(file);
    const classes = apiClasses(text);
    for (const method of methodCalls(text)) {
      const owners = [...classes].filter(([, methods]) => methods.has(method)).map(([cls]) => cls);
      for (const cls of owners) {
        const grant = CALLS[`${cls}.${method}`];
        if (grant === undefined) unmapped.push(`${file}: ${cls}.${method}`);
        else grants.add(grant);
      }
    }
    if (namesImportedFrom(text, KUBE).has('Watch')) {
      for (const m of text.matchAll(/'(\/apis?\/[^']+)'/g)) grants.add(watchGrant(m[1] ?? ''));
    }
  }
  return { grants, unmapped, files };
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

function rulesOf(objects: readonly K8sObject[]): Rule[] {
  return objects
    .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
    .flatMap((o) => o.rules as Rule[]);
}

function chartGrants(objects: readonly K8sObject[]): Set<string> {
  const out = new Set<string>();
  for (const rule of rulesOf(objects))
    for (const group of rule.apiGroups)
      for (const resource of rule.resources)
        for (const verb of rule.verbs) out.add(`${group}/${resource}:${verb}`);
  return out;
}

const sorted = (set: Iterable<string>): string[] => [...set].sort();
const without = (set: Iterable<string>, drop: (g: string) => boolean): string[] =>
  sorted([...set].filter((g) => !drop(g)));

const MODES = [
  { mode: 'imds', values: {} },
  { mode: 'queue', values: queueValues() },
] as const;

describe.concurrent('RBAC derived from the code', () => {
  it.each(MODES)('$mode mode: every client-node call in the loaded files is mapped', ({ mode }) => {
    const derived = deriveCalls(mode);
    expect(derived.unmapped).toEqual([]);
    expect(derived.files.length).toBeGreaterThan(2);
    // the derivation sees the calls we know the drain and the markers make
    expect(sorted(derived.grants)).toEqual(
      expect.arrayContaining(['/nodes:patch', '/pods/eviction:create', '/pods:watch', '/pods:delete']),
    );
  });

  it.each(MODES)('$mode mode: the chart grants exactly what the code calls', async ({ mode, values }) => {
    const code = deriveCalls(mode).grants;
    const chart = chartGrants(await renderChart(values));
    expect({
      missing: without(code, (g) => chart.has(g)),
      extra: without(chart, (g) => code.has(g)),
    }).toEqual({
      missing: [],
      extra: sorted(KNOWN_UNUSED_GRANTS[mode]),
    });
  });

  it.each([
    ['imds', 'DaemonSet', {}],
    ['imds', 'DaemonSet', { drain: { forceAtDeadline: false }, node: { emitKubernetesEvents: false } }],
    ['queue', 'Deployment', queueValues()],
    ['queue', 'Deployment', queueValues({ leaderElection: { enabled: false } })],
  ] as const)(
    '%s mode: spot-handler check reviews exactly what the chart grants (%#)',
    async (mode, kind, values) => {
      const objects = await renderChart(values);
      const env: Record<string, string> = { NODE_NAME: 'n1', POD_NAMESPACE: 'kube-system' };
      for (const [name, value] of containerEnv(only(objects, kind))) {
        if (typeof value === 'string') env[name] = value;
      }
      const needed = kubeAccessNeeded(loadConfig(mode, [], env).config).map(grantKey);
      const SSAR = 'authorization.k8s.io/selfsubjectaccessreviews:create';
      expect(sorted(new Set([...needed, SSAR]))).toEqual(sorted(chartGrants(objects)));
    },
  );

  it('pods delete is granted only with forced deletion (or the eviction fallback) enabled', async () => {
    const code = deriveCalls('imds').grants;
    const chart = chartGrants(await renderChart({ drain: { forceAtDeadline: false } }));
    expect(chart.has('/pods:delete')).toBe(false);
    expect(without(code, (g) => chart.has(g))).toEqual(['/pods:delete']);
  });

  it('queue mode: get/update on leases is limited to the Lease the daemon is told to use', async () => {
    const objects = await renderChart(queueValues());
    const leaseName = containerEnv(only(objects, 'Deployment')).get('LEASE_NAME');
    const rules = rulesOf(objects).filter((r) => r.resources.includes('leases'));
    const named = rules.filter((r) => r.verbs.some((v) => v === 'get' || v === 'update'));
    expect(named.length).toBeGreaterThan(0);
    for (const rule of named) expect(rule.resourceNames).toEqual([leaseName]);
  });

  it.each(MODES)('$mode mode: no rule reaches secrets or uses wildcards', async ({ values }) => {
    for (const rule of rulesOf(await renderChart(values))) {
      expect(rule.resources).not.toContain('secrets');
      expect([...rule.resources, ...rule.verbs, ...rule.apiGroups]).not.toContain('*');
    }
  });
});

/**
 * Files that break STYLE rule 1 today, reported to their owner. The test fails when one is fixed (so the
 * list shrinks) or a new one appears.
 */
const KNOWN_SDK_VIOLATIONS: readonly string[] = [];

describe('SDK imports stay in the adapters (STYLE rule 1)', () => {
  const importers = (prefix: string): string[] =>
    sourceFiles().filter((f) => allImports(readSource(f)).some((spec) => spec.startsWith(prefix)));

  it('only src/kube/ and src/sandbox/ import @kubernetes/client-node', () => {
    const outside = importers(KUBE).filter((f) => !/^src\/(kube|sandbox)\//.test(f));
    expect(outside.sort()).toEqual([...KNOWN_SDK_VIOLATIONS].sort());
  });

  it('only src/aws/ and src/sandbox/ import @aws-sdk/*', () => {
    const all = importers('@aws-sdk/');
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((f) => !/^src\/(aws|sandbox)\//.test(f))).toEqual([]);
  });
});
