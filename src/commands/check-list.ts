/** The checklist `spot-handler check` prints: ✓ passed, ✗ failed (with the fix), – not checkable. */
import { SetupError } from '../errors.js';

/** One line of the checklist. */
export interface CheckItem {
  readonly status: 'ok' | 'fail' | 'info';
  readonly what: string;
  /** What was seen (✓) or what went wrong (✗). */
  readonly detail?: string;
  /** What to change (✗ only). */
  readonly fix?: string;
}

const MARK = { ok: '✓', fail: '✗', info: '–' } as const;

/** A failed item from an error: a SetupError names its own fix, anything else shows its message. */
export function failedItem(what: string, err: unknown, fallbackFix?: string): CheckItem {
  const detail = err instanceof Error ? err.message : String(err);
  const fix = err instanceof SetupError ? err.fix : fallbackFix;
  return { status: 'fail', what, detail, ...(fix ? { fix } : {}) };
}

/** The printed checklist: one line per item, the fix under each ✗, and a last summary line. */
export function formatChecklist(title: string, items: readonly CheckItem[]): string {
  const lines = [title];
  for (const item of items) {
    lines.push(`  ${MARK[item.status]} ${item.what}${item.detail ? `: ${item.detail}` : ''}`);
    if (item.status === 'fail' && item.fix) lines.push(`      fix: ${item.fix}`);
  }
  const failed = items.filter((i) => i.status === 'fail').length;
  lines.push(failed === 0 ? 'All checks passed.' : `${failed} check(s) failed.`);
  return `${lines.join('\n')}\n`;
}

/** 0 when nothing failed, else 1. */
export function checklistExitCode(items: readonly CheckItem[]): number {
  return items.some((i) => i.status === 'fail') ? 1 : 0;
}
