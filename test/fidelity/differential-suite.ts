/**
 * One differential suite: runs a scenario on every available server (the simulator; a real one too with
 * TEST_KUBECONFIG), checks the status codes a real server gives for the named steps on each, then
 * compares the simulator's transcript with the real server's step by step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_SKIP_REASON, startTargets, type FidelityTarget } from './fidelity-targets.js';
import { expectSameTranscripts, type Transcript } from './transcript.js';

/** Registers the suite `title`; `codes` maps step names to the status each server must answer. */
export function differentialSuite(
  title: string,
  scenario: (target: FidelityTarget) => Promise<Transcript>,
  codes: Readonly<Record<string, number>>,
  timeoutMs: number,
): void {
  describe(title, () => {
    let targets: FidelityTarget[] = [];
    const transcripts: Transcript[] = [];

    beforeAll(async () => {
      targets = await startTargets();
    }, 60_000);
    afterAll(async () => {
      for (const t of targets) await t.stop();
    });

    it(
      'runs on every available server with the status codes a real server gives',
      async () => {
        for (const t of targets) {
          const tr = await scenario(t);
          transcripts.push(tr);
          const got = Object.fromEntries(
            tr.steps.map((s) => [s.step, (s.value as { status?: unknown } | undefined)?.status]),
          );
          for (const [step, code] of Object.entries(codes))
            expect(got[step], `${t.name}: ${step}`).toBe(code);
        }
      },
      timeoutMs,
    );

    it.skipIf(REAL_SKIP_REASON !== undefined)(
      `the simulator matches the real server step by step${REAL_SKIP_REASON ? ` (skipped: ${REAL_SKIP_REASON})` : ''}`,
      () => {
        const [sim, real] = transcripts;
        expect(sim && real).toBeTruthy();
        if (sim && real) expectSameTranscripts(real, sim);
      },
    );
  });
}
