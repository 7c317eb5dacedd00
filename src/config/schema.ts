/** The one configuration schema: every option, in sections, plus NTH options accepted and ignored. */
import type { SectionName } from './config-types.js';
import type { IgnoredOption, OptionEntry, OptionSpec, Schema } from './option-spec.js';
import { DRAIN_SCHEMA, IMDS_SCHEMA } from './schema-drain-imds.js';
import { GENERAL_SCHEMA, KUBE_SCHEMA, NODE_SCHEMA } from './schema-general.js';
import { AWS_SCHEMA, QUEUE_SCHEMA, WEBHOOK_SCHEMA } from './schema-queue.js';

/** Every option, by section then key (the order here is the order of --help and the docs). */
export const SCHEMA: Schema = {
  general: GENERAL_SCHEMA,
  kube: KUBE_SCHEMA,
  node: NODE_SCHEMA,
  drain: DRAIN_SCHEMA,
  imds: IMDS_SCHEMA,
  queue: QUEUE_SCHEMA,
  aws: AWS_SCHEMA,
  webhook: WEBHOOK_SCHEMA,
};

/** Section titles for --help and docs. */
export const SECTION_TITLES: Readonly<Record<SectionName, string>> = {
  general: 'General',
  kube: 'Kubernetes API',
  node: 'Node markers',
  drain: 'Draining',
  imds: 'IMDS mode',
  queue: 'Queue mode',
  aws: 'AWS endpoints',
  webhook: 'Webhook',
};

/** NTH env var that selects queue mode when no mode is given on the command line. */
export const NTH_QUEUE_MODE_ENV = 'ENABLE_SQS_TERMINATION_DRAINING';

/** NTH options with no meaning for spot-handler: accepted so NTH configs keep working, ignored with a warning. */
export const IGNORED_NTH_OPTIONS: readonly IgnoredOption[] = [
  { env: 'LOG_FORMAT_VERSION', flag: '--log-format-version', takesValue: true, why: 'one log format only' },
  {
    env: 'USE_APISERVER_CACHE',
    flag: '--use-apiserver-cache',
    takesValue: false,
    why: 'pods are listed from the API server',
  },
  {
    env: 'ENABLE_PROBES_SERVER',
    flag: '--enable-probes-server',
    takesValue: false,
    why: '/healthz is always served on --http-port',
  },
  {
    env: 'PROBES_SERVER_ENDPOINT',
    flag: '--probes-server-endpoint',
    takesValue: true,
    why: 'the liveness path is /healthz',
  },
  {
    env: 'METADATA_TRIES',
    flag: '--metadata-tries',
    takesValue: true,
    why: 'IMDS requests are retried with backoff until they succeed',
  },
  {
    env: 'USE_PROVIDER_ID',
    flag: '--use-provider-id',
    takesValue: false,
    why: 'nodes are always found by spec.providerID first',
  },
  {
    env: NTH_QUEUE_MODE_ENV,
    flag: '--enable-sqs-termination-draining',
    takesValue: false,
    why: 'the mode is chosen on the command line (imds|queue)',
  },
];

function flatten(): readonly OptionEntry[] {
  const out: OptionEntry[] = [];
  for (const [section, specs] of Object.entries(SCHEMA) as [SectionName, Record<string, OptionSpec>][]) {
    for (const [key, spec] of Object.entries(specs)) out.push(Object.freeze({ ...spec, section, key }));
  }
  return Object.freeze(out);
}

/** SCHEMA flattened once: it is constant, and loadConfig walks the list several times per call. */
const ALL_OPTIONS = flatten();

/** The schema as a flat list of entries with section and key (frozen, shared). */
export function allOptions(): readonly OptionEntry[] {
  return ALL_OPTIONS;
}
