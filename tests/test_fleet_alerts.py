"""The hub's fleet alerts under promtool (Debian `prometheus`): they parse, and fire on synthetic series
exactly when docs/fleets.md says. Skipped when promtool is not installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from stack_support import REPO_ROOT

from platform_kit.config import load_stack_file
from platform_kit.repo.argocd.fleet_hub import fleet_alerts

PROMTOOL = shutil.which("promtool")
pytestmark = pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed (Debian package `prometheus`)")

TESTS = """
rule_files: [rules.yaml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'argocd_cluster_connection_status{server="https://spoke-a"}'
        values: '1 1 0x15'
      - series: 'argocd_cluster_connection_status{server="https://spoke-b"}'
        values: '1x17'
      - series: 'argocd_cluster_connection_status{server="https://kubernetes.default.svc"}'
        values: '0x17'
      - series: 'argocd_app_info{project="fleet",name="spoke-a-apps",dest_server="https://spoke-a",sync_status="OutOfSync"}'
        values: '1x40'
      - series: 'argocd_app_info{project="platform",name="apps",dest_server="https://kubernetes.default.svc",sync_status="OutOfSync"}'
        values: '1x40'
    alert_rule_test:
      - {eval_time: 8m, alertname: ArgoCdSpokeNotReporting, exp_alerts: []}
      - eval_time: 13m
        alertname: ArgoCdSpokeNotReporting
        exp_alerts:
          - exp_labels: {severity: critical, server: https://spoke-a}
            exp_annotations:
              summary: A spoke stopped reporting to the hub
              description: Argo CD on the hub has not reached https://spoke-a for 10m.
      - {eval_time: 25m, alertname: ArgoCdSpokeOutOfSync, exp_alerts: []}
      - eval_time: 31m
        alertname: ArgoCdSpokeOutOfSync
        exp_alerts:
          - exp_labels:
              severity: warning
              project: fleet
              name: spoke-a-apps
              dest_server: https://spoke-a
              sync_status: OutOfSync
            exp_annotations:
              summary: A spoke drifted from the config repo
              description: spoke-a-apps on https://spoke-a has been OutOfSync for 30m.
"""


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    rule = fleet_alerts(load_stack_file(REPO_ROOT, "hub"))
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    return tmp_path


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120)


def test_the_fleet_alerts_parse(rules):
    result = promtool("check", "rules", "rules.yaml", cwd=rules)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 rules found" in result.stdout


def test_the_fleet_alerts_fire_after_their_thresholds_on_spokes_only(rules):
    (rules / "tests.yaml").write_text(TESTS)
    result = promtool("test", "rules", "tests.yaml", cwd=rules)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_promtool_test_can_fail(rules):
    (rules / "tests.yaml").write_text(TESTS.replace("eval_time: 13m", "eval_time: 11m"))
    assert promtool("test", "rules", "tests.yaml", cwd=rules).returncode != 0  # 10m not yet elapsed at 11m
