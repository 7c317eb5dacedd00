/** --help text, generated from the schema so it can never disagree with the loader. */
import type { Mode } from './config-types.js';
import type { OptionEntry } from './option-spec.js';
import { allowedText } from './parse-value.js';
import { SECTION_TITLES, allOptions } from './schema.js';

/** The default as shown to people. */
export function defaultText(entry: OptionEntry): string {
  if (entry.defaultText !== undefined) return entry.defaultText;
  const d = entry.default;
  if (d === undefined) return '';
  if (typeof d === 'object')
    return Array.isArray(d) ? d.join(',') : Object.keys(d).length ? JSON.stringify(d) : '';
  return String(d);
}

function optionLines(entry: OptionEntry): string[] {
  const names = entry.flag ? `${entry.flag}  (env ${entry.env})` : `env ${entry.env}`;
  const facts = [`allowed: ${allowedText(entry)}`];
  const d = defaultText(entry);
  if (d !== '') facts.push(`default: ${d}`);
  if (entry.requiredIn) facts.push(`required in ${entry.requiredIn} mode`);
  return [`  ${names}`, `      ${entry.description}`, `      ${facts.join('; ')}`];
}

/** Help for one mode: its options, grouped by section. */
export function modeHelp(mode: Mode): string {
  const lines = [
    `usage: spot-handler ${mode} [flags]`,
    '',
    mode === 'imds'
      ? 'Runs on every node (DaemonSet): polls IMDS and drains its own node on a notice.'
      : 'Consumes EventBridge and ASG lifecycle messages from SQS (Deployment, one leader).',
    'Flags win over environment variables, which win over defaults. Booleans: --x, --x=false, --no-x.',
  ];
  let current = '';
  for (const entry of allOptions()) {
    if (entry.modes !== 'both' && entry.modes !== mode) continue;
    if (entry.section !== current) {
      current = entry.section;
      lines.push('', `${SECTION_TITLES[entry.section]}:`);
    }
    lines.push(...optionLines(entry));
  }
  return `${lines.join('\n')}\n`;
}

/** Top-level help. */
export function topHelp(): string {
  return [
    'usage: spot-handler <imds|queue|sandbox> [flags]',
    '',
    'Cordons, taints and drains Kubernetes nodes when EC2 interrupts them.',
    '',
    'Modes:',
    '  imds      DaemonSet: watch this node through the instance metadata service',
    '  queue     Deployment: consume EventBridge / ASG lifecycle events from SQS',
    '  sandbox   run the daemon against simulated Kubernetes and AWS, and show the timeline',
    '',
    'Commands:',
    '  drain NODE   cordon and drain a node with the spot-handler engine (kubectl drain flags)',
    '  check [imds|queue] [flags]   check a configuration against the live AWS and Kubernetes setup',
    '               without acting (IMDS, SQS, EC2 DryRun, RBAC access reviews); exit 1 on any ✗',
    '  migrate-values FILE   print spot-handler chart values for an aws-node-termination-handler values file',
    '',
    'spot-handler <mode> --help lists the flags of a mode; --version prints the version.',
    'With no mode, NTH-style: queue when ENABLE_SQS_TERMINATION_DRAINING=true, else imds.',
    '',
  ].join('\n');
}
