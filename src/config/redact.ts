/** The config as it may be logged: secret options replaced by "[redacted]". */
import type { Config, SectionName } from './config-types.js';
import { allOptions } from './schema.js';

/** The placeholder written instead of a secret. */
export const REDACTED = '[redacted]';

function isEmpty(value: unknown): boolean {
  return (
    value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
  );
}

/** A plain copy of `config` for the start-up log line; secrets that are set become "[redacted]". */
export function redactedConfig(config: Config): Record<string, unknown> {
  const copy = structuredClone(config) as unknown as Record<SectionName, Record<string, unknown>>;
  for (const entry of allOptions()) {
    const section = copy[entry.section];
    if (entry.secret && !isEmpty(section[entry.key])) section[entry.key] = REDACTED;
  }
  return copy;
}
