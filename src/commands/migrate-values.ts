/**
 * Pure converter from an aws-node-termination-handler chart values object to spot-handler chart values,
 * driven by NTH_VALUE_RULES. Empty values (null, '', {}, []) count as unset: our defaults apply.
 */
import { NTH_VALUE_RULES, type MigrationRule } from './migrate-values-map.js';

type Values = Record<string, unknown>;

/** An NTH key the output does not carry (or carries with a caveat), and why. */
export interface MigrationRemark {
  readonly key: string;
  readonly reason: string;
}

/** The converted values and what could not be carried over. */
export interface Migration {
  readonly mode: 'queue' | 'imds';
  readonly values: Values;
  /** NTH keys set in the input with no equivalent in the output. */
  readonly unmapped: readonly MigrationRemark[];
  /** Keys carried over that need a look (renamed secret keys, required values). */
  readonly notes: readonly MigrationRemark[];
}

const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';

function isObject(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

function setPath(target: Values, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(node[part])) node[part] = {};
    node = node[part] as Values;
  }
  node[parts[parts.length - 1]!] = value;
}

/** The NTH keys set in the input: top-level keys, and `a.b` for the nested keys the table knows. */
function setKeys(input: Values): Map<string, unknown> {
  const keys = new Map<string, unknown>();
  for (const [key, value] of Object.entries(input)) {
    const nested = Object.keys(NTH_VALUE_RULES).some((k) => k.startsWith(`${key}.`));
    if (nested && isObject(value)) {
      for (const [sub, subValue] of Object.entries(value))
        if (isSet(subValue)) keys.set(`${key}.${sub}`, subValue);
    } else if (isSet(value)) keys.set(key, value);
  }
  return keys;
}

const OTHER_MODE = {
  queue: "only used by NTH's IMDS-mode DaemonSet; this file selects queue mode",
  imds: "only used by NTH's queue-mode Deployment; this file selects IMDS mode",
} as const;

/** First set value of `keys`, in precedence order. */
function first(set: Map<string, unknown>, keys: readonly string[]): unknown {
  for (const key of keys) if (set.has(key)) return set.get(key);
  return undefined;
}

/** Converts NTH chart values to spot-handler chart values. */
export function migrateValues(input: Values): Migration {
  const mode = input.enableSqsTerminationDraining === true ? 'queue' : 'imds';
  const values: Values = { mode };
  const unmapped: MigrationRemark[] = [];
  const notes: MigrationRemark[] = [];
  const set = setKeys(input);
  const drop = (key: string, reason: string): void => void unmapped.push({ key, reason });
  const note = (key: string, reason: string): void => void notes.push({ key, reason });

  for (const [key, value] of set) {
    const rule: MigrationRule | undefined = NTH_VALUE_RULES[key];
    if (rule === undefined) drop(key, 'not an aws-node-termination-handler chart value');
    else if (rule.kind === 'none') drop(key, rule.reason);
    else if (rule.kind === 'copy') {
      const to = typeof rule.to === 'string' ? rule.to : rule.to[mode];
      if (to === undefined) drop(key, OTHER_MODE[mode]);
      else setPath(values, to, value);
    }
  }
  const specials = [...set.keys()].filter((k) => NTH_VALUE_RULES[k]?.kind === 'special');
  const has = (key: string): boolean => specials.includes(key);
  const onlyIn = (wanted: 'queue' | 'imds', keys: readonly string[]): boolean => {
    if (mode === wanted) return true;
    for (const key of keys) if (has(key)) drop(key, OTHER_MODE[mode]);
    return false;
  };

  if (has('image.pullSecrets')) {
    const secrets = set.get('image.pullSecrets') as unknown[];
    values.imagePullSecrets = secrets.map((s) => (typeof s === 'string' ? { name: s } : s));
  }
  if (has('serviceAccount.annotations')) {
    const annotations = { ...(set.get('serviceAccount.annotations') as Values) };
    const roleArn = annotations[ROLE_ARN_ANNOTATION];
    if (typeof roleArn === 'string' && roleArn !== '') {
      setPath(values, 'serviceAccount.roleArn', roleArn);
      delete annotations[ROLE_ARN_ANNOTATION];
    }
    if (Object.keys(annotations).length > 0) setPath(values, 'serviceAccount.annotations', annotations);
  }

  // Scheduling: NTH's generic keys go to the workload of the mode; IMDS adds the DaemonSet's own keys.
  const workload = mode === 'queue' ? 'deployment' : 'daemonset';
  const imdsScheduling = ['daemonsetNodeSelector', 'linuxNodeSelector', 'daemonsetAffinity', 'linuxAffinity'];
  if (onlyIn('imds', [...imdsScheduling, 'daemonsetTolerations', 'linuxTolerations', 'linuxDnsPolicy'])) {
    const selector = {
      'kubernetes.io/os': 'linux',
      ...((set.get('daemonsetNodeSelector') as Values | undefined) ?? {}),
      ...((set.get('nodeSelector') as Values | undefined) ?? {}),
      ...((set.get('linuxNodeSelector') as Values | undefined) ?? {}),
    };
    if (['daemonsetNodeSelector', 'nodeSelector', 'linuxNodeSelector'].some(has))
      setPath(values, 'daemonset.nodeSelector', selector);
    const affinity = first(set, ['linuxAffinity', 'affinity', 'daemonsetAffinity']);
    if (affinity !== undefined) setPath(values, 'daemonset.affinity', affinity);
    const tolerations = first(set, ['linuxTolerations', 'tolerations', 'daemonsetTolerations']);
    if (tolerations !== undefined) setPath(values, 'daemonset.tolerations', tolerations);
    if (has('linuxDnsPolicy')) setPath(values, 'daemonset.dnsPolicy', set.get('linuxDnsPolicy'));
  } else {
    if (has('nodeSelector'))
      setPath(values, `${workload}.nodeSelector`, {
        'kubernetes.io/os': 'linux',
        ...(set.get('nodeSelector') as Values),
      });
    if (has('affinity')) setPath(values, `${workload}.affinity`, set.get('affinity'));
    if (has('tolerations')) setPath(values, `${workload}.tolerations`, set.get('tolerations'));
  }
  if (onlyIn('imds', ['linuxPodLabels', 'linuxPodAnnotations'])) {
    for (const [from, to] of [
      ['linuxPodLabels', 'podLabels'],
      ['linuxPodAnnotations', 'podAnnotations'],
    ] as const)
      if (has(from)) values[to] = { ...(values[to] ?? {}), ...(set.get(from) as Values) };
  }
  if (has('targetNodeOs') && String(set.get('targetNodeOs')).includes('windows'))
    drop('targetNodeOs', 'spot-handler runs on Linux nodes only: no DaemonSet for Windows nodes');

  if (has('enableSqsTerminationDraining') && mode === 'imds')
    note('enableSqsTerminationDraining', 'false: `mode: imds` (one DaemonSet pod per node)');
  if (mode === 'queue' && !set.has('queueURL'))
    note('queueURL', 'not set: `queue.url` is required in queue mode');

  if (has('jsonLogging'))
    if (set.get('jsonLogging') === true) values.logFormat = 'json';
    else drop('jsonLogging', 'spot-handler logs JSON by default; set `logFormat: pretty` for text logs');
  if (has('enablePrometheusServer') && set.get('enablePrometheusServer') === true) {
    setPath(values, 'metrics.prometheusServerPort', set.get('prometheusServerPort') ?? 9092);
  } else {
    if (has('enablePrometheusServer')) drop('enablePrometheusServer', 'metrics are always on at `httpPort`');
    if (has('prometheusServerPort'))
      drop('prometheusServerPort', 'only used with enablePrometheusServer; metrics are on `httpPort`');
  }

  if (has('webhookURLSecretName')) {
    setPath(values, 'webhook.existingSecret', set.get('webhookURLSecretName'));
    note(
      'webhookURLSecretName',
      'the Secret needs key `url` (NTH used `webhookurl`), optional key `headers`',
    );
  }
  if (has('webhookHeaders')) {
    const raw = set.get('webhookHeaders');
    let headers: unknown = raw;
    try {
      if (typeof raw === 'string') headers = JSON.parse(raw);
    } catch {
      headers = undefined;
    }
    if (!isObject(headers)) drop('webhookHeaders', 'not a JSON object of headers');
    else if (has('webhookURLSecretName'))
      drop('webhookHeaders', 'with an existing Secret, put the headers JSON in its key `headers`');
    else setPath(values, 'webhook.headers', headers);
  }
  if (has('webhookTemplateConfigMapKey') && set.get('webhookTemplateConfigMapKey') !== 'template')
    note('webhookTemplateConfigMapKey', 'the ConfigMap needs key `template`');

  if (has('podDisruptionBudget') && onlyIn('queue', ['podDisruptionBudget'])) {
    const pdb = set.get('podDisruptionBudget') as Values;
    setPath(values, 'deployment.podDisruptionBudget.enabled', true);
    if (typeof pdb.maxUnavailable === 'number')
      setPath(values, 'deployment.podDisruptionBudget.maxUnavailable', pdb.maxUnavailable);
    else note('podDisruptionBudget', 'only `maxUnavailable` (a number) is supported; default 1 applies');
  }
  return { mode, values, unmapped, notes };
}
