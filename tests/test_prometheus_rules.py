"""Every shipped Prometheus rule, as rendered into the config repo, checked and unit-tested by promtool.

The rule files are the `spec` of each PrometheusRule that `render_config_repo` writes for
a Flux stack (dev) and an Argo CD stack (staging), with the environment placeholder filled
as Flux and Argo CD fill it. The unit tests (tests/fixtures/promtool/) feed synthetic
series to promtool's rule evaluator; a coverage check makes sure every alert has a firing
and a quiet case and every recording rule an exact expectation.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml

from platform_kit.config import load_stack_file
from platform_kit.repo import render_config_repo

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "promtool"
STACKS = {"flux": "dev", "argocd": "staging"}
"""Agent -> a shipped stack using it with observability and secrets enabled."""
TEST_FILES = {"flux": ("flux.yaml", "external-secrets.yaml"), "argocd": ("argocd.yaml", "external-secrets.yaml")}
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed (Debian package prometheus)")


@cache
def shipped_rules(agent: str) -> dict[str, dict]:
    """PrometheusRule name -> spec, as rendered for the agent's stack, placeholders filled from the contract."""
    config = load_stack_file(REPO_ROOT, STACKS[agent])
    rules = {}
    for manifest in render_config_repo(config):
        if not manifest.path.endswith((".yaml", ".yml")):
            continue
        for document in yaml.safe_load_all(manifest.content):
            if isinstance(document, dict) and document.get("kind") == "PrometheusRule":
                text = yaml.safe_dump(document["spec"], sort_keys=False)
                placeholders = set(re.findall(r"\$\{[A-Z_]+\}", text))
                assert placeholders <= {"${PLATFORM_ENVIRONMENT}"}, placeholders
                rules[document["metadata"]["name"]] = yaml.safe_load(
                    text.replace("${PLATFORM_ENVIRONMENT}", config.environment)
                )
    return rules


@pytest.fixture(scope="module", params=sorted(STACKS))
def rule_dir(request, tmp_path_factory) -> tuple[str, Path]:
    """A directory holding `<PrometheusRule name>.yaml` for every rendered rule, next to the unit tests."""
    agent = request.param
    directory = tmp_path_factory.mktemp(f"rules-{agent}")
    for name, spec in shipped_rules(agent).items():
        (directory / f"{name}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    for test_file in TEST_FILES[agent]:
        shutil.copy(FIXTURES / test_file, directory / test_file)
    return agent, directory


def test_both_agents_ship_alerts_delivery_rules_and_eso_alerts():
    for agent in STACKS:
        assert set(shipped_rules(agent)) == {
            f"{agent}-alerts",
            f"{agent}-delivery",
            "platform-delivery",
            "external-secrets-alerts",
        }


@needs_promtool
def test_promtool_checks_every_rendered_rule_file(rule_dir):
    _, directory = rule_dir
    files = sorted(str(path) for path in directory.glob("*.yaml") if not (FIXTURES / path.name).exists())
    result = subprocess.run([PROMTOOL, "check", "rules", *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == len(files)


@needs_promtool
def test_promtool_unit_tests_pass_on_the_rendered_rules(rule_dir):
    agent, directory = rule_dir
    result = subprocess.run(
        [PROMTOOL, "test", "rules", *TEST_FILES[agent]], cwd=directory, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == len(TEST_FILES[agent])


@needs_promtool
def test_a_wrong_expectation_fails(rule_dir):
    """The unit tests can fail: the same file with one expected value changed is rejected."""
    _, directory = rule_dir
    original = (FIXTURES / "external-secrets.yaml").read_text()
    broken = original.replace("name: db}", "name: cache}", 1)
    assert broken != original
    (directory / "broken.yaml").write_text(broken)
    try:
        result = subprocess.run(
            [PROMTOOL, "test", "rules", "broken.yaml"], cwd=directory, capture_output=True, text=True
        )
    finally:
        (directory / "broken.yaml").unlink()
    assert result.returncode != 0 and "FAILED" in result.stdout + result.stderr


@pytest.mark.parametrize("agent", sorted(STACKS))
def test_every_shipped_rule_is_unit_tested(agent):
    """Each alert has a firing and a quiet case; each recording rule an exact expectation of its samples."""
    rules = [rule for spec in shipped_rules(agent).values() for group in spec["groups"] for rule in group["rules"]]
    firing, quiet, recorded = set(), set(), set()
    for test_file in TEST_FILES[agent]:
        document = yaml.safe_load((FIXTURES / test_file).read_text())
        for group in document["tests"]:
            for case in group.get("alert_rule_test", []):
                (firing if case["exp_alerts"] else quiet).add(case["alertname"])
            for case in group.get("promql_expr_test", []):
                if case["exp_samples"]:
                    recorded.add(case["expr"])
    alerts = {rule["alert"] for rule in rules if "alert" in rule}
    records = {rule["record"] for rule in rules if "record" in rule}
    assert alerts - firing == set(), "alerts without a firing case"
    assert alerts - quiet == set(), "alerts without a quiet case"
    assert records - recorded == set(), "recording rules without expected samples"
    assert alerts and records
