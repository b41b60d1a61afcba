"""`pulumi new` of the platform template creates a fleet spoke (issue #17): the `platform:fleet` prompt."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner
from test_templates import TEMPLATES, pulumi_new

from platform_kit.cli import main


def new_stack(tmp_path, stack: str, fleet: str | None):
    template = TEMPLATES["platform"][0]
    dest = tmp_path / "fleet-app"
    answers = {"platform:environment": stack} | ({"platform:fleet": fleet} if fleet else {})
    pulumi_new(template, dest, "fleet-app", "A fleet", stack, answers)
    return dest


def test_the_prompt_defaults_to_standalone(tmp_path):
    prompts = yaml.safe_load((TEMPLATES["platform"][0] / "Pulumi.yaml").read_text())["template"]["config"]
    assert prompts["platform:fleet"]["default"] == "standalone"
    dest = new_stack(tmp_path, "dev", None)
    result = CliRunner().invoke(main, ["validate", "--project", str(dest), "--all"])
    assert result.exit_code == 0 and "fleet role standalone" in result.output, result.output


def test_answering_spoke_makes_a_flux_spoke_seeding_its_cluster_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("PLATFORM_GIT_TOKEN", raising=False)
    dest = new_stack(tmp_path, "staging", "spoke")
    assert yaml.safe_load((dest / "Pulumi.staging.yaml").read_text())["config"]["platform:fleet"] == "spoke"
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", "--project", str(dest), "--stack", "staging", "--out", str(out)])
    assert result.exit_code == 0, result.output
    seeded = {p.relative_to(out / "config-repo").as_posix() for p in (out / "config-repo").rglob("*") if p.is_file()}
    assert "clusters/staging/platform/flux-system/flux-instance.yaml" in seeded  # `platform`: the template's cluster
    assert not any(path.startswith("clusters/staging/") and "/platform/" not in path for path in seeded)
    plan = json.dumps(json.loads((out / "plan.json").read_text()))
    assert "clusters/staging/platform" in plan  # the root sync follows the spoke's own directory


def test_a_hub_reference_on_a_flux_template_is_a_field_error(tmp_path):
    dest = new_stack(tmp_path, "dev", "spoke:acme/fleet-app/hub")
    result = CliRunner().invoke(main, ["validate", "--project", str(dest), "-s", "dev"])
    assert result.exit_code == 2
    assert "platform.fleet.hub: a Flux spoke runs its own Flux" in result.output
