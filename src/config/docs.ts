/** Generates docs/configuration.md from the schema (`npm run docs`); a test fails when it is stale. */
import type { OptionEntry } from './option-spec.js';
import { allowedText } from './parse-value.js';
import { defaultText } from './help.js';
import { IGNORED_NTH_OPTIONS, SECTION_TITLES, allOptions } from './schema.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(text: string): string {
  return text === '' ? '' : `\`${text}\``;
}

function aliasText(entry: OptionEntry): string {
  return (entry.aliases ?? [])
    .map((a) => {
      const names = [a.env, a.flag]
        .filter((n): n is string => n !== undefined)
        .map(code)
        .join(' / ');
      const mapped = a.boolMap ? ` (true→${a.boolMap.true}, false→${a.boolMap.false})` : '';
      return `${names}${mapped}${a.nth ? '' : ' (not NTH)'}`;
    })
    .join('<br>');
}

function row(entry: OptionEntry): string {
  const modes = entry.modes === 'both' ? 'both' : entry.modes;
  const required = entry.requiredIn ? ` **Required in ${entry.requiredIn} mode.**` : '';
  const secret = entry.secret ? ' *Secret: redacted in logs.*' : '';
  const cells = [
    code(entry.flag ?? ''),
    code(entry.env),
    aliasText(entry),
    code(defaultText(entry)),
    allowedText(entry),
    modes,
    `${entry.description}${required}${secret}`,
  ];
  return `| ${cells.map(cell).join(' | ')} |`;
}

/** The whole markdown document. */
export function configurationMarkdown(): string {
  const out = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/schema*.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    'Every option has a flag and an environment variable. A flag wins over the environment variable, which',
    'wins over the default; an empty environment variable counts as unset. Booleans accept `true`/`false`',
    '(also `1`/`0`, `t`/`f`); as flags, `--x`, `--x=false` and `--no-x`. All problems are reported together',
    'at start-up, and the process exits with status 2. Names of aws-node-termination-handler (NTH) are',
    'accepted as aliases; when two names of one option are set, the first in the table wins, with a warning.',
    '',
    'Standard variables are honoured too: `KUBERNETES_SERVICE_HOST`/`_PORT` (in-cluster),',
    '`HTTPS_PROXY`/`NO_PROXY` (webhooks), and the usual AWS credential chain.',
  ];
  let current = '';
  for (const entry of allOptions()) {
    if (entry.section !== current) {
      current = entry.section;
      out.push('', `## ${SECTION_TITLES[entry.section]}`, '');
      out.push('| flag | env | aliases | default | allowed | modes | description |');
      out.push('|---|---|---|---|---|---|---|');
    }
    out.push(row(entry));
  }
  out.push('', '## NTH options accepted and ignored', '');
  out.push(
    'They are accepted so an NTH configuration keeps working; each one logs a warning at start-up.',
    '',
  );
  out.push('| flag | env | why |', '|---|---|---|');
  for (const o of IGNORED_NTH_OPTIONS) out.push(`| ${code(o.flag)} | ${code(o.env)} | ${cell(o.why)} |`);
  return `${out.join('\n')}\n`;
}
