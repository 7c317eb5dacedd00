#!/usr/bin/env bash
# npm run test:real: the scenario, fidelity and fault tests that run on kube-env, against a real
# Kubernetes control plane. Uses TEST_KUBECONFIG when set; otherwise starts ../shared/kube (beside the
# project) in a temp dir and stops it (down --purge) at the end. Without either it says so and exits 0.
# REAL_REPORT=<file> keeps vitest's JSON report there (CI sums it). Other arguments go to vitest.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
kube="../shared/kube"
if [ -z "${TEST_KUBECONFIG:-}" ]; then
  if [ ! -x "$kube/up" ]; then
    echo "test:real skipped: no TEST_KUBECONFIG and no $kube (a real control plane) beside the project"
    exit 0
  fi
  dir="$(mktemp -d -t spot-handler-kube-XXXXXX)"
  trap '"$kube/down" "$dir" --purge >/dev/null 2>&1; rm -rf "$dir"' EXIT
  line="$("$kube/up" "$dir" | tail -n 1)" || { echo "test:real: $kube/up failed"; exit 1; }
  export TEST_KUBECONFIG="${line#TEST_KUBECONFIG=}"
fi
echo "test:real: against $TEST_KUBECONFIG"
report="${REAL_REPORT:-$(mktemp -t spot-handler-real-XXXXXX.json)}"
npx vitest run --config vitest.real.config.ts --reporter=default --reporter=json \
  --outputFile.json="$report" "$@"
status=$?
# shellcheck disable=SC2016 # the JavaScript is single-quoted on purpose
node -e '
  try {
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`test:real: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  } catch {
    console.log("test:real: no report");
  }
' "$report"
[ -n "${REAL_REPORT:-}" ] || rm -f "$report"
exit "$status"
