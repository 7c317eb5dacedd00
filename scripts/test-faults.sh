#!/usr/bin/env bash
# npm run test:faults            → the long fault tests (vitest.faults.config.ts)
# npm run test:faults -- --report → every fault test (fast ones from test/faults too, not the fuzz files),
#   each appending its figures to a JSON-lines file, then docs/reliability.md rendered from it.
# Other arguments go to vitest.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
report=0
args=()
for a in "$@"; do
  if [ "$a" = "--report" ]; then report=1; else args+=("$a"); fi
done
if [ "$report" = 0 ]; then
  exec npx vitest run --config vitest.faults.config.ts "${args[@]}"
fi
lines="$(mktemp -t spot-handler-faults-XXXXXX.jsonl)"
export SPOT_HANDLER_FAULT_REPORT="$lines"
status=0
fast=()
for f in test/faults/*.test.ts; do
  case "$f" in *.long.test.ts | */fuzz-*) ;; *) fast+=("$f") ;; esac
done
npx vitest run "${fast[@]}" "${args[@]}" || status=$?
npx vitest run --config vitest.faults.config.ts "${args[@]}" || status=$?
npx tsx scripts/reliability-report.ts "$lines" docs/reliability.md || status=$?
rm -f "$lines"
exit "$status"
