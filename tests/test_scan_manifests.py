"""ci/scan-manifests.sh with the real scanners: a clean render passes, planted findings fail, skips need reasons.

The scanners live in their own virtualenvs (.venv-scan: checkov; .venv-secrets:
detect-secrets), which `ci/scan-manifests.sh --setup` creates and .ci/run runs first.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from platform_kit.offline.preview import run_stack, write_render
from platform_kit.offline.preview_inflate import DEFAULT_CHART_DIR, inflate_run, write_inflated

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = REPO_ROOT / "ci" / "scan-manifests.sh"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

pytestmark = pytest.mark.skipif(
    not all((REPO_ROOT / venv / ".pin").is_file() for venv in (".venv-scan", ".venv-secrets")),
    reason="scanner virtualenvs missing: run `ci/scan-manifests.sh --setup` (.ci/run does)",
)

PLANTED = "\n".join(
    [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: planted, namespace: apps}",
        "spec:",
        "  selector: {matchLabels: {app: planted}}",
        "  template:",
        "    metadata: {labels: {app: planted}}",
        "    spec:",
        "      containers:",
        "        - name: planted",
        "          image: nginx:1.27",
        "          securityContext: {privileged: true}",
        "---",
        "apiVersion: v1",
        "kind: Secret",
        "metadata: {name: planted, namespace: apps}",
        "stringData:",
        "  aws_access_key_id: AKIAIOSFODNN7EXAMPLE",
        f"  aws_secret_access_key: {AWS_SECRET}",
        "",
    ]
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """The prod stack's config repo (it carries the reference lines the secrets exclusion is for)."""
    out = tmp_path_factory.mktemp("prod")
    write_render(run_stack(REPO_ROOT, "prod"), out)
    return out / "config-repo"


def scan(*dirs: Path, tmp_path: Path, skips: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SCAN_OUT": str(tmp_path / "scan-out")}
    if skips is not None:
        env["SCAN_SKIPS"] = str(skips)
    return subprocess.run(
        ["bash", str(SCRIPT), *map(str, dirs)], capture_output=True, text=True, timeout=300, env=env, check=False
    )


def test_a_clean_render_passes(rendered, tmp_path):
    result = scan(rendered, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failed (0 in upstream charts' objects, excepted), 0 skipped, 0 parsing errors" in result.stdout
    assert "detect-secrets: 1 directories, 0 findings" in result.stdout


def test_planted_workload_and_secret_fail_and_the_secret_is_not_printed(rendered, tmp_path):
    planted = tmp_path / "planted"
    shutil.copytree(rendered, planted)
    (planted / "apps" / "planted.yaml").write_text(PLANTED)
    result = scan(rendered, planted, tmp_path=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert 'CKV_K8S_16: "Container should not be privileged"' in output
    assert f"secret? {planted}/apps/planted.yaml:18: AWS Access Key" in output
    assert "detect-secrets: 2 directories," in output
    assert AWS_SECRET not in output


def test_the_secrets_exclusion_is_needed_and_narrow(rendered, tmp_path):
    no_skips = tmp_path / "no-skips.yaml"
    no_skips.write_text("checkov: []\nsecrets: []\n")
    result = scan(rendered, tmp_path=tmp_path, skips=no_skips)
    assert result.returncode == 1
    flagged = [line for line in result.stdout.splitlines() if line.startswith("secret? ")]
    assert flagged and all(line.endswith(": Secret Keyword") for line in flagged)
    lines = {
        (rendered / line.split("secret? ", 1)[1].split(":")[0].removeprefix(f"{rendered}/"))
        .read_text()
        .splitlines()[int(line.split(":")[1]) - 1]
        .strip()
        for line in flagged
    }
    assert lines <= {
        "- secretKey: admin-user",
        "- secretKey: admin-password",
        "existingSecret: grafana-admin",
        "userKey: admin-user",
        "passwordKey: admin-password",
    }, lines


def test_a_skip_without_a_reason_is_refused(rendered, tmp_path):
    skips = tmp_path / "skips.yaml"
    skips.write_text("checkov:\n  - id: CKV_K8S_16\nsecrets: []\n")
    result = scan(rendered, tmp_path=tmp_path, skips=skips)
    assert result.returncode != 0
    assert "needs exactly `id` and a non-empty `reason`" in result.stderr


@pytest.fixture(scope="module")
def inflated(tmp_path_factory) -> Path:
    """The staging stack (Argo CD, every service) inflated: the upstream charts' own objects included."""
    out = tmp_path_factory.mktemp("staging")
    run = run_stack(REPO_ROOT, "staging")
    return write_inflated(inflate_run(run, REPO_ROOT / DEFAULT_CHART_DIR), out)


def test_inflated_objects_pass_with_the_upstream_exceptions_which_are_each_needed_and_never_cover_a_team(
    inflated, tmp_path
):
    """One scan of the staging objects (and a planted team workload next to them, in its own directory)."""
    planted = tmp_path / "planted" / "inflated"
    planted.mkdir(parents=True)
    (planted / "99-planted.yaml").write_text(PLANTED.replace("namespace: apps", "namespace: team-a"))
    result = scan(inflated, planted, tmp_path=tmp_path)
    assert result.returncode == 1
    excepted = r"(\d+) failed \((\d+) in upstream charts' objects, excepted\)"
    clean = re.search(rf"checkov {inflated}: .* {excepted}", result.stdout)
    assert clean and clean.group(1) == clean.group(2) and int(clean.group(1)) > 0, result.stdout
    assert 'CKV_K8S_16: "Container should not be privileged" Deployment.team-a.planted' in result.stdout
    # every upstream exception matches some finding of the charts' own objects: none is stale
    (report,) = [json.loads(path.read_text()) for path in (tmp_path / "scan-out" / "reports").glob("checkov-0.json")]
    report = report[0] if isinstance(report, list) else report
    failed = report["results"]["failed_checks"]
    upstream = yaml.safe_load((REPO_ROOT / "ci" / "scan-skips.yaml").read_text())["upstream"]
    unused = [
        entry["ids"]
        for entry in upstream
        if not any(c["check_id"] in entry["ids"] and re.search(entry["resources"], c["resource"]) for c in failed)
    ]
    assert unused == list(NEEDED_BY_OTHER_STACKS.values()), (
        f"stale upstream exceptions (staging needs none of): {unused}"
    )


NEEDED_BY_OTHER_STACKS = {"local-argocd": ["CKV2_K8S_6"]}
"""Upstream exceptions staging does not need, with a stack that does (argo-cd's chart renders a bare Pod there)."""


def test_an_upstream_exception_needs_a_reason(rendered, tmp_path):
    skips = tmp_path / "skips.yaml"
    skips.write_text("checkov: []\nsecrets: []\nupstream:\n  - ids: [CKV_K8S_43]\n    resources: '.*'\n")
    result = scan(rendered, tmp_path=tmp_path, skips=skips)
    assert result.returncode != 0
    assert "every upstream entry needs `ids`, `resources` and a non-empty `reason`" in result.stderr
