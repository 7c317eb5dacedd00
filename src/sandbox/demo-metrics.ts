/**
 * The end of the sandbox demo: the few numbers an operator graphs, read from the daemon's own /metrics
 * (node actions by kind and result, drains by result and duration, pods evicted, deleted at the
 * deadline and refused by a PDB).
 */

/** One sample of the Prometheus text format. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the Prometheus text exposition format (enough of it: no escapes inside label values). */
export function parseMetricsText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m?.[1] || m[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[l[1] ?? ''] = l[2] ?? '';
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

function sum(samples: readonly Sample[], name: string, where: Readonly<Record<string, string>> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

/** "label value", for every non-zero series of a counter, joined. */
function nonZero(samples: readonly Sample[], name: string, labels: readonly string[]): string {
  const parts = samples
    .filter((s) => s.name === name && s.value > 0)
    .map((s) => `${labels.map((l) => s.labels[l] ?? '').join(' ')} ${s.value}`)
    .sort();
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** The summary lines, from the text of /metrics. */
export function metricsSummary(text: string): string[] {
  const s = parseMetricsText(text);
  const p = 'spot_handler_';
  const drains = sum(s, `${p}drain_duration_seconds_count`);
  const drainSecs = drains > 0 ? (sum(s, `${p}drain_duration_seconds_sum`) / drains).toFixed(2) : '-';
  const toDrained = sum(s, `${p}notice_to_drained_seconds_count`);
  const toDrainedSecs =
    toDrained > 0 ? (sum(s, `${p}notice_to_drained_seconds_sum`) / toDrained).toFixed(2) : '-';
  return [
    `  ${p}actions_total (action result): ${nonZero(s, `${p}actions_total`, ['action', 'result'])}`,
    `  ${p}drains_total (result): ${nonZero(s, `${p}drains_total`, ['result'])}`,
    `  ${p}drain_duration_seconds: ${drains} drain(s), mean ${drainSecs} s`,
    `  ${p}notice_to_drained_seconds: mean ${toDrainedSecs} s`,
    `  ${p}pods_evicted_total: ${sum(s, `${p}pods_evicted_total`)}, ` +
      `pods_deleted_at_deadline_total: ${sum(s, `${p}pods_deleted_at_deadline_total`)}, ` +
      `pods_blocked_by_pdb_total: ${sum(s, `${p}pods_blocked_by_pdb_total`)}`,
  ];
}

/** Reads the daemon's /metrics and prints the summary (says so when it cannot be read). */
export async function printMetricsSummary(port: number, out: (text: string) => void): Promise<void> {
  const url = `http://127.0.0.1:${port}/metrics`;
  const text = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    (r) => r.text(),
    () => undefined,
  );
  out(`\nmetrics (the daemon's own ${url})\n`);
  if (text === undefined) {
    out('  could not read /metrics\n');
    return;
  }
  for (const line of metricsSummary(text)) out(`${line}\n`);
}
