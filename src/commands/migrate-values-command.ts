/**
 * `spot-handler migrate-values FILE`: reads an aws-node-termination-handler chart values file and prints
 * spot-handler chart values on stdout, followed by YAML comments listing every NTH key set in the input
 * that has no equivalent (and why) and the keys that need a look, so the output stays a valid values file.
 * Exit codes: 0 converted, 2 usage error or unreadable/invalid input.
 */
import { parse, stringify } from 'yaml';
import { migrateValues, type Migration, type MigrationRemark } from './migrate-values.js';

export const MIGRATE_USAGE =
  'usage: spot-handler migrate-values FILE\n' +
  '  Converts an aws-node-termination-handler Helm values file to spot-handler chart values (stdout).\n';

/** Where the command reads and writes. */
export interface MigrateValuesIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => string;
}

function remarks(title: string, list: readonly MigrationRemark[]): string {
  if (list.length === 0) return '';
  const width = Math.max(...list.map((r) => r.key.length));
  const rows = list.map((r) => `#   ${r.key.padEnd(width)}  ${r.reason}`).join('\n');
  return `#\n# ${title}\n${rows}\n`;
}

/** The values file text: the values, then the remarks as comments. */
export function formatMigration(migration: Migration): string {
  const header = '# spot-handler chart values converted from aws-node-termination-handler values.\n';
  const table =
    remarks('NTH values with no spot-handler equivalent (not carried over):', migration.unmapped) +
    remarks('Carried over, but check:', migration.notes);
  return header + stringify(migration.values, { lineWidth: 0 }) + table;
}

/** Runs the command; resolves with the exit code. */
export function runMigrateValuesCommand(argv: readonly string[], io: MigrateValuesIo): number {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(MIGRATE_USAGE);
    return 0;
  }
  if (argv.length !== 1 || argv[0]!.startsWith('-')) {
    io.stderr(MIGRATE_USAGE);
    return 2;
  }
  const file = argv[0]!;
  let input: unknown;
  try {
    input = parse(io.readFile(file)) ?? {};
  } catch (err) {
    io.stderr(`spot-handler migrate-values: cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    io.stderr(`spot-handler migrate-values: ${file} is not a YAML mapping of chart values\n`);
    return 2;
  }
  io.stdout(formatMigration(migrateValues(input as Record<string, unknown>)));
  return 0;
}
