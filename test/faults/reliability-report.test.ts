/** The reliability report renderer: JSON lines in, one table row per fault, totals, failures stand out. */
import { describe, expect, it } from 'vitest';
import { parseLines, renderReport, type ReportLine } from '../../scripts/reliability-report.js';

const INFO = { date: '2026-11-29 10:00 UTC', commit: 'abc1234', node: 'v20.0.0', cores: 2 };

function line(over: Partial<ReportLine>): ReportLine {
  return { area: 'sqs', fault: 'f', outcome: 'o', result: 'pass', durationMs: 1, figures: {}, ...over };
}

describe('reliability report', () => {
  it('renders a row per fault under its area with figures and totals', () => {
    const md = renderReport(
      [
        line({ fault: 'receive 500', figures: { messagesSent: 3, messagesDeleted: 3, messagesLost: 0 } }),
        line({
          area: 'imds',
          fault: 'a|b',
          figures: { drainsStarted: 1, drainsCompleted: 1, slackMs: 110_400 },
        }),
        line({ area: 'process', fault: 'kill', result: 'fail', outcome: 'FAILED: x' }),
      ],
      INFO,
    );
    expect(md).toContain('## SQS (queue mode)');
    expect(md).toContain('| receive 500 | pass | o | – | 3 | 3 | 0 | – | – | – | – |');
    expect(md).toContain('| a\\|b | pass | o | – | – | – | – | 1 / 1 | – | – | 110.4 s |');
    expect(md).toContain('| kill | **fail** | FAILED: x |');
    expect(md).toContain('- Fault tests: 3, passed: 2, failed or skipped: 1.');
    expect(md).toContain('SQS messages sent: 3, deleted: 3, lost: 0');
    expect(md).not.toContain('## Kubernetes API');
    expect(md.indexOf('## IMDS')).toBeLessThan(md.indexOf('## SQS'));
  });

  it('parses JSON lines, skips blanks and names a bad line', () => {
    expect(parseLines(`${JSON.stringify(line({}))}\n\n`)).toHaveLength(1);
    expect(() => parseLines('{}\nnope')).toThrow('line 2 is not JSON');
  });
});
