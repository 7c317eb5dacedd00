/** One line per drain naming what surge-before-evict did (webhook field `surges`, Events). Pure. */
import type { SurgeReport } from '../pipeline/node-actuator-port.js';

/** At most this many workloads are listed. */
const MAX_SURGES_LISTED = 10;

/** `ns/name surged in 3.2s; ns/other fell back after 60.0s; ns/sts not eligible (not-deployment)`. */
export function surgesText(surges: readonly SurgeReport[]): string {
  const shown = surges.slice(0, MAX_SURGES_LISTED).map((s) => {
    const who = `${s.namespace}/${s.name}`;
    const secs = s.replacementMs === undefined ? '' : `${(s.replacementMs / 1000).toFixed(1)}s`;
    const joined = s.joined ? ' (joined a rollout in progress)' : '';
    if (s.result === 'surged') return `${who} surged: replacement Ready in ${secs}${joined}`;
    if (s.result === 'fell_back') return `${who} fell back: no Ready replacement after ${secs}${joined}`;
    return `${s.kind} ${who} not eligible (${s.reason ?? 'unknown'})`;
  });
  const more = surges.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
}
