/**
 * Renders docs/reliability.md from the JSON lines the fault suite writes (one per fault test; see
 * test/faults/support/fault-record.ts). Usage: tsx scripts/reliability-report.ts <lines.jsonl> <out.md>.
 * Run through `npm run test:faults -- --report` (scripts/test-faults.sh), which sets the file up.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';

/** One fault test's line (the shape test/faults/support/fault-record.ts writes). */
export interface ReportLine {
  readonly area: string;
  readonly fault: string;
  readonly outcome: string;
  readonly result: string;
  readonly durationMs: number;
  readonly figures: Readonly<Record<string, number | undefined>>;
}

/** Where and when the run happened. */
export interface RunInfo {
  readonly date: string;
  readonly commit: string;
  readonly node: string;
  readonly cores: number;
}

const AREAS: Readonly<Record<string, string>> = {
  imds: 'IMDS (IMDS mode)',
  'kube-api': 'Kubernetes API',
  sqs: 'SQS (queue mode)',
  process: 'Process',
};

/** What the suite found and what it does not cover (kept by hand; the tables above it are generated). */
const FINDINGS = `## What the suite found

- **Fixed:** one 5xx or 429 on a node patch failed the whole node action, and the next try came only
  with the next IMDS poll after the 15 s failure memory (or an SQS redelivery): three 500s in a row cost
  about 45 s of a 120 s spot notice. The executor now retries the run in place on a retryable error
  (250 ms doubling to 4 s, Retry-After honoured, 8 tries; \`src/pipeline/executor.ts\`).
- **Fixed:** lease fencing had a gap after a drain: a leader paused (SIGSTOP) mid-drain past its lease
  and resumed (SIGCONT) after the standby had taken over still patched the node once (the drain's end
  was recorded without checking \`canAct()\`). The executor now checks \`canAct()\` before every node
  write and after a drain returns.
- **By design, measured:** SQS receive back-off grows to 30 s, so after a long SQS outage a spot warning
  may wait up to 30 s after SQS is back (see "Notice → drained" in the SQS table).
- **By design (ADR 0003):** a leader killed during a long poll may still be handed the next message,
  which then stays hidden for one visibility timeout: failover is bounded by lease + visibility.
- **IMDS mode and the API at start-up:** IMDS mode makes no API request until a notice, so an API that is
  down at start-up does not keep it unready; the fault tried is "API down when the notice arrives".

## Not covered yet

- An API server that accepts connections and never answers, with the real daemon: client-node 1.4 sets
  no request timeout, so every ordinary API call now has one (30 s, \`src/kube/kube-config.ts\`), checked
  by a unit test against a server that never answers; this suite itself only tried 1 s latencies.
- Watch 5xx on the node index (queue mode) and EC2/Auto Scaling API faults (DescribeInstances,
  CompleteLifecycleAction); the simulators support them (\`aws-query-server.ts\` \`fail()\`).
`;

/** Parses the JSON-lines text; blank lines are skipped, a bad line throws naming its number. */
export function parseLines(text: string): ReportLine[] {
  return text
    .split('\n')
    .map((l, i) => ({ l: l.trim(), n: i + 1 }))
    .filter(({ l }) => l !== '')
    .map(({ l, n }) => {
      try {
        return JSON.parse(l) as ReportLine;
      } catch (err) {
        throw new Error(`line ${n} is not JSON`, { cause: err });
      }
    });
}

function num(v: number | undefined): string {
  return v === undefined ? '–' : String(v);
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function row(l: ReportLine): string {
  const f = l.figures;
  const drains =
    f['drainsStarted'] === undefined ? '–' : `${num(f['drainsStarted'])} / ${num(f['drainsCompleted'])}`;
  return `| ${cell(l.fault)} | ${l.result === 'pass' ? 'pass' : `**${l.result}**`} | ${cell(l.outcome)} | ${num(
    f['faultsInjected'],
  )} | ${num(f['messagesSent'])} | ${num(f['messagesDeleted'])} | ${num(f['messagesLost'])} | ${drains} | ${num(
    f['duplicates'],
  )} | ${seconds(f['noticeToDrainedMs'])} | ${seconds(f['slackMs'])} |`;
}

function totals(lines: readonly ReportLine[]): string {
  const sum = (k: string): number => lines.reduce((a, l) => a + (l.figures[k] ?? 0), 0);
  const passed = lines.filter((l) => l.result === 'pass').length;
  return [
    `- Fault tests: ${lines.length}, passed: ${passed}, failed or skipped: ${lines.length - passed}.`,
    `- SQS messages sent: ${sum('messagesSent')}, deleted: ${sum('messagesDeleted')}, lost: ${sum('messagesLost')}.`,
    `- Drains started: ${sum('drainsStarted')} (resumed drains after a crash count again), completed: ${sum('drainsCompleted')}, duplicate drains: ${sum('duplicates')}.`,
  ].join('\n');
}

/** The Markdown document. */
export function renderReport(lines: readonly ReportLine[], info: RunInfo): string {
  const header =
    '| Fault | Result | What happened | Faults injected | Msgs sent | Deleted | Lost | Drains started / completed | Duplicate drains | Notice → drained | Slack to deadline |\n' +
    '|---|---|---|---|---|---|---|---|---|---|---|';
  const sections = Object.entries(AREAS)
    .map(([area, title]) => {
      const rows = lines.filter((l) => l.area === area);
      return rows.length === 0 ? '' : `## ${title}\n\n${header}\n${rows.map(row).join('\n')}\n`;
    })
    .filter((s) => s !== '');
  return `# Reliability: what the fault-injection suite did to spot-handler

Generated by \`npm run test:faults -- --report\` (scripts/test-faults.sh → scripts/reliability-report.ts) on
${info.date}, commit \`${info.commit}\`, Node ${info.node}, ${info.cores} cores. Every row is one test in
test/faults/ that injects a fault through the simulators (IMDS, Kubernetes API, SQS via fauxqs behind a
fault proxy), runs the **real daemon process**, and asserts the outcome. Do not edit by hand: run the
command again.

Columns: *lost* = sent − deleted − still in the queue at the end (must be 0); *drains started* counts a
drain resumed by a new process after a crash again; *duplicate drains* = a node drained more than once
for one interruption; *slack* = time left before the notice's deadline when the node was drained.

${totals(lines)}

${sections.join('\n')}
${FINDINGS}
## How faults are injected

- IMDS: \`src/sandbox/imds-server.ts\` (failRequests, latencyMs, setBody, expireTokens).
- Kubernetes API: the simulator's fault injector (status/latency per path and method, Retry-After,
  cutWatches), a TCP proxy taken down and up again (connection refused/reset), a second client writing
  the node in a loop (test/faults/support/).
- SQS: an HTTP proxy in front of fauxqs failing chosen actions (500 InternalError, throttling).
- Process: SIGKILL, SIGTERM, SIGSTOP/SIGCONT of the daemon child; leader election on a 3 s lease.
`;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function main(argv: readonly string[]): void {
  const [input, output] = argv;
  if (!input || !output) {
    process.stderr.write('usage: tsx scripts/reliability-report.ts <lines.jsonl> <out.md>\n');
    process.exit(2);
  }
  const lines = parseLines(readFileSync(input, 'utf8'));
  const info: RunInfo = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    commit: gitCommit(),
    node: process.version,
    cores: cpus().length,
  };
  writeFileSync(output, renderReport(lines, info));
  process.stdout.write(`${output}: ${lines.length} fault tests\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
