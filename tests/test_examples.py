"""The example program runs offline, and its own resources use the platform's cluster provider."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from platform_kit.cli import main
from platform_kit.offline.preview import run_stack

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "own-program"


def test_own_program_example_renders_with_the_platform_provider(monkeypatch):
    monkeypatch.delenv("GIT_TOKEN", raising=False)
    run = run_stack(EXAMPLE, "demo")
    by_type = {}
    for registration in run.registrations:
        by_type.setdefault(registration.type, []).append(registration)
    provider = by_type["pulumi:providers:kubernetes"][0]
    sandbox = next(r for r in by_type["kubernetes:core/v1:Namespace"] if r.name == "demo-sandbox")
    assert sandbox.inputs["metadata"]["name"] == "team-sandbox"
    assert sandbox.provider.startswith(provider.urn + "::")
    assert "clusters/demo/kustomization.yaml" in run.seeded_files()
    credentials = next(r for r in by_type["kubernetes:core/v1:Secret"])
    assert credentials.is_secret("stringData")


@pytest.mark.parametrize(
    ("example", "stack", "files"),
    [("team-template", "example", 0), ("library-usage", "demo", 1), ("own-program", "demo", 1)],
)
def test_every_example_renders_offline_with_the_cli(tmp_path, monkeypatch, example, stack, files):
    monkeypatch.delenv("GIT_TOKEN", raising=False)
    monkeypatch.delenv("EDGE_GIT_TOKEN", raising=False)
    project = EXAMPLE.parent / example
    result = CliRunner().invoke(main, ["render", "--project", str(project), "--stack", stack, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["stack"] == stack and plan["resources"]
    assert bool(list((tmp_path / "config-repo").rglob("*"))) == bool(files)
    assert "[secret]" in json.dumps(plan)  # kubeconfig / credentials stay masked


def test_team_template_is_a_pulumi_new_template_with_prompts():
    project = yaml.safe_load((EXAMPLE.parent / "team-template" / "Pulumi.yaml").read_text())
    prompts = project["template"]["config"]
    assert {"team:name", "team:platformStack"} <= set(prompts)
    assert all(entry.get("description") for entry in prompts.values())
    assert project["runtime"]["name"] == "python"
