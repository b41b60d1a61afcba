#!/bin/sh
# Linux (Docker Engine) only: make `host.docker.internal` resolve inside a kind cluster, as it
# already does on Docker Desktop (macOS, Windows), so the `local` stacks' agentUrl
# http://host.docker.internal:8080/<repo>.git reaches `platform-kit serve` on this machine.
#
#   examples/kind/host-docker-internal.sh kind-platform-local    # prints the address to serve on
#
# It adds a CoreDNS `hosts` entry pointing the name at the kind network's IPv4 gateway (this
# host's address on that Docker bridge) and restarts CoreDNS. Idempotent. Then run
#   platform-kit serve --address "$(examples/kind/host-docker-internal.sh --gateway)"
# so the server listens on the kind bridge only, not on every interface.
set -eu

gateway() {
    docker network inspect kind -f '{{range .IPAM.Config}}{{.Gateway}} {{end}}' | tr ' ' '\n' | grep -m1 '\.'
}

if [ "${1:-}" = "--gateway" ]; then
    gateway
    exit 0
fi
context="${1:?usage: $0 KUBE_CONTEXT (kind-platform-local, kind-platform-local-argocd) | --gateway}"
GATEWAY="$(gateway)"
corefile="$(kubectl --context "$context" -n kube-system get configmap coredns -o jsonpath='{.data.Corefile}')"
if printf '%s\n' "$corefile" | grep -q 'host.docker.internal'; then
    echo "CoreDNS of $context already resolves host.docker.internal" >&2
else
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    printf '%s\n' "$corefile" \
        | sed "/^ *ready\$/a\\    hosts {\\n        $GATEWAY host.docker.internal\\n        fallthrough\\n    }" >"$tmp/Corefile"
    kubectl --context "$context" -n kube-system create configmap coredns --from-file=Corefile="$tmp/Corefile" \
        --dry-run=client -o yaml >"$tmp/coredns.yaml"
    kubectl --context "$context" -n kube-system apply -f "$tmp/coredns.yaml"
    kubectl --context "$context" -n kube-system rollout restart deployment/coredns
    kubectl --context "$context" -n kube-system rollout status deployment/coredns --timeout=120s
fi
echo "$GATEWAY"
