#!/usr/bin/env bash
# Scan what lands on the clusters: checkov's Kubernetes checks and a secrets scan (detect-secrets).
#
#   ci/scan-manifests.sh           render every stack in stacks/ (`render --check --inflate`) into out/scan/;
#                                  checkov on each inflated/ (every object the agent applies, charts rendered),
#                                  detect-secrets on each config-repo/ and inflated/
#   ci/scan-manifests.sh DIR...    scan these directories only (both scanners)
#   ci/scan-manifests.sh --setup   only create the scanners' virtualenvs
#
# Each scanner gets a virtualenv of its own, created on first use: checkov pins old
# packages (`packaging`), and its bundled bc-detect-secrets installs the same
# `detect_secrets` package as detect-secrets. Reasoned exceptions: ci/scan-skips.yaml (`upstream`:
# findings in the upstream charts' own objects, each for named checks on matching resources only).
# Exits 0 only with no finding outside that list. Offline: nothing is downloaded at scan time.
set -euo pipefail
setup_only=0
given=()
for arg in "$@"; do
  if [ "$arg" = --setup ]; then setup_only=1; else given+=("$(realpath "$arg")"); fi  # before the cd below
done
cd "$(dirname "$0")/.."

CHECKOV_VENV=${CHECKOV_VENV:-.venv-scan}
SECRETS_VENV=${SECRETS_VENV:-.venv-secrets}
PYTHON=${PYTHON:-$CHECKOV_VENV/bin/python}  # reads the skips (PyYAML comes with checkov) and the reports
OUT=${SCAN_OUT:-out/scan}
SKIPS=${SCAN_SKIPS:-ci/scan-skips.yaml}
PLATFORM_KIT=${PLATFORM_KIT:-.venv/bin/platform-kit}
started=$SECONDS

scanner_venv() { # DIR PIN: a virtualenv at DIR with exactly PIN installed (recorded in DIR/.pin)
  [ "$(cat "$1/.pin" 2>/dev/null)" = "$2" ] && return
  [ -x "$1/bin/python" ] || python3 -m venv "$1"
  "$1/bin/pip" install -q --disable-pip-version-check "$2"
  echo "$2" >"$1/.pin"
}

skip_args() { # KIND: the scanner flags for ci/scan-skips.yaml's KIND entries, one per line
  "$PYTHON" - "$SKIPS" "$1" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1])) or {}
kind = sys.argv[2]
entries = doc.get(kind) or []
key = {"checkov": "id", "secrets": "regex", "inflatedSecretsPlugins": "plugin"}[kind]
for entry in entries:
    if set(entry) != {key, "reason"} or not str(entry["reason"]).strip():
        sys.exit(f"{sys.argv[1]}: every {kind} entry needs exactly `{key}` and a non-empty `reason`: {entry}")
for entry in doc.get("upstream") or []:
    if set(entry) != {"ids", "resources", "reason"} or not str(entry["reason"]).strip() or not entry["ids"]:
        sys.exit(f"{sys.argv[1]}: every upstream entry needs `ids`, `resources` and a non-empty `reason`: {entry}")
if kind == "checkov" and entries:
    print("--skip-check")
    print(",".join(e["id"] for e in entries))
for entry in entries if kind == "secrets" else []:
    print("--exclude-lines")
    print(entry["regex"])
for entry in entries if kind == "inflatedSecretsPlugins" else []:
    print("--disable-plugin")
    print(entry["plugin"])
PY
}

scanner_venv "$CHECKOV_VENV" "checkov==3.3.30"
scanner_venv "$SECRETS_VENV" "detect-secrets==1.5.0"
echo "scanners ready ($((SECONDS - started))s)"
[ "$setup_only" -eq 0 ] || exit 0
skip_args checkov >/dev/null && skip_args secrets >/dev/null && skip_args inflatedSecretsPlugins >/dev/null  # a skip without a reason stops here

mkdir -p "$OUT"
if [ ${#given[@]} -gt 0 ]; then
  repos=("${given[@]}")
  secret_dirs=("${given[@]}")
else
  repos=()
  secret_dirs=()
  pids=()
  stacks=()
  for file in stacks/Pulumi.*.yaml; do
    stack=${file#stacks/Pulumi.}
    stack=${stack%.yaml}
    rm -rf "${OUT:?}/$stack"
    "$PLATFORM_KIT" render --stack "$stack" --out "$OUT/$stack" --check --inflate >"$OUT/$stack.log" 2>&1 &
    pids+=($!)
    stacks+=("$stack")
    repos+=("$OUT/$stack/inflated")
    secret_dirs+=("$OUT/$stack/config-repo" "$OUT/$stack/inflated")
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      cat "$OUT/${stacks[$i]}.log" >&2
      echo "render --check failed for stack ${stacks[$i]}" >&2
      exit 1
    fi
    echo "rendered ${stacks[$i]}: $(grep -E '^(guardrails:|inflated )' "$OUT/${stacks[$i]}.log" | paste -sd ';' -)"
  done
fi
reports="$OUT/reports"
rm -rf "$reports" && mkdir -p "$reports"

mapfile -t checkov_skips < <(skip_args checkov)
checkov_pids=()
for i in "${!repos[@]}"; do  # one run per repo (several --directory flags garble checkov's reports)
  "$CHECKOV_VENV/bin/checkov" --directory "${repos[$i]}" --framework kubernetes --skip-download --quiet --compact \
    "${checkov_skips[@]}" --output cli --output json --output-file-path "console,$reports/checkov-$i.json" \
    >"$reports/checkov-$i.txt" 2>&1 &
  checkov_pids+=($!)
done
checkov_failed=0
for i in "${!repos[@]}"; do
  status=0
  wait "${checkov_pids[$i]}" || status=$?
  "$PYTHON" - "$reports/checkov-$i.json" "$status" "${repos[$i]}" "$SKIPS" <<'PY' || checkov_failed=1
import json, re, sys
import yaml
path, status, repo, skips = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
upstream = (yaml.safe_load(open(skips)) or {}).get("upstream") or []
try:
    report = json.load(open(path))
except (OSError, ValueError):
    sys.exit(f"checkov {repo}: no report (exit {status})")
report = report[0] if isinstance(report, list) else report
summary = report.get("summary", report)  # nothing checkable: checkov writes the bare summary
failed = report.get("results", {}).get("failed_checks", []) if summary["failed"] else []
def excepted(check):
    return any(check["check_id"] in e["ids"] and re.search(e["resources"], check["resource"]) for e in upstream)
remaining = [check for check in failed if not excepted(check)]
print("checkov {repo}: {resource_count} objects, {passed} passed, {failed} failed ({excepted} in upstream charts' "
      "objects, excepted), {skipped} skipped, {parsing_errors} parsing errors"
      .format(repo=repo, excepted=len(failed) - len(remaining), **summary))
for check in remaining:
    print(f'  {check["check_id"]}: "{check["check_name"]}" {check["resource"]} ({check["file_path"]})')
def only_namespaces():  # checkov has no check of a Namespace (all a hub-managed spoke's stack applies itself)
    import pathlib
    files = pathlib.Path(repo).rglob("*.yaml")
    return {doc.get("kind") for f in files for doc in yaml.safe_load_all(f.open()) if doc} == {"Namespace"}
if summary["parsing_errors"] or not (summary["resource_count"] or only_namespaces()):
    sys.exit(f"checkov {repo}: parsed nothing or failed to parse a file, so the scan proves nothing")
if remaining or (status and not failed):
    sys.exit(f"checkov {repo}: failed checks (exit {status})")
PY
done
mapfile -t secret_excludes < <(skip_args secrets)
mapfile -t inflated_plugins < <(skip_args inflatedSecretsPlugins)
detect_secrets="$(cd "$SECRETS_VENV/bin" && pwd)/detect-secrets"
secret_reports=()
for i in "${!secret_dirs[@]}"; do  # from inside each dir: detect-secrets silently drops paths outside its cwd
  extra=()
  [ "$(basename "${secret_dirs[$i]}")" = inflated ] && extra=("${inflated_plugins[@]}")
  (cd "${secret_dirs[$i]}" && "$detect_secrets" scan --all-files "${secret_excludes[@]}" "${extra[@]}" .) \
    >"$reports/secrets-$i.json"
  secret_reports+=("$reports/secrets-$i.json" "${secret_dirs[$i]}")
done
secrets_failed=0
"$PYTHON" - "${secret_reports[@]}" <<'PY' || secrets_failed=1
import json, sys
pairs = list(zip(sys.argv[1::2], sys.argv[2::2]))
findings = []
for report, repo in pairs:
    results = json.load(open(report))["results"]
    findings += [(f"{repo}/{path}", f["line_number"], f["type"]) for path, found in sorted(results.items()) for f in found]
for path, line, kind in findings:
    print(f"secret? {path}:{line}: {kind}")
print(f"detect-secrets: {len(pairs)} directories, {len(findings)} findings")
if findings:
    sys.exit("detect-secrets: possible secrets in the rendered repos (only a false positive may get an exclusion)")
PY
if [ "$checkov_failed" -ne 0 ] || [ "$secrets_failed" -ne 0 ]; then
  echo "scan-manifests: findings in ${#repos[@]} directories ($((SECONDS - started))s): fix the templates, or add a reasoned entry to $SKIPS" >&2
  exit 1
fi
echo "scan-manifests: ${#repos[@]} checkov and ${#secret_dirs[@]} secrets directories clean in $((SECONDS - started))s"
