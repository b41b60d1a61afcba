"""Both `pulumi new` templates, instantiated the way `pulumi new` does, render clean with `--check`.

`pulumi new` (pulumi/pulumi sdk/go/common/workspace/templates.go, `CopyTemplateFiles`/`walkFiles`)
copies every file of the template directory except a `.git` directory and the legacy
`.pulumi.template.yaml`, replacing `${PROJECT}` and `${DESCRIPTION}` in every text file (and
`${PROJECT}` in file names); it then writes the answers to `template.config`'s prompts into
`Pulumi.<stack>.yaml`. Untracked files (`__pycache__`) are left out here: a template fetched
from a Git URL never has them.

The root `Pulumi.yaml` is not a template: `pulumi new` would copy this whole repository (tests,
benchmarks, the library's sources) into the user's project. `templates/platform/` is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from platform_kit.cli import main
from platform_kit.guardrails.rules import RULES

REPO_ROOT = Path(__file__).resolve().parent.parent
IGNORED = {".git", ".pulumi.template.yaml", "__pycache__", ".pytest_cache"}
TEMPLATES = {
    # template dir, stack, answers to prompts without a default, files the user's project gets
    "platform": (
        REPO_ROOT / "templates/platform",
        "dev",
        {},
        {"Pulumi.yaml", "__main__.py", "requirements.txt", "README.md"},
    ),
    "team": (
        REPO_ROOT / "examples/team-template",
        "dev",
        {"team:name": "payments"},
        # the team's own tests (mocked platform stack) and offline preview inputs, on purpose
        {
            "Pulumi.yaml",
            "__main__.py",
            "requirements.txt",
            "README.md",
            "stack-references.yaml",
            "Pulumi.example.yaml",
            "tests/test_team_template.py",
        },
    ),
}


def pulumi_new(template: Path, dest: Path, project: str, description: str, stack: str, answers: dict) -> set[str]:
    """Copy and substitute like `pulumi new`, then write the stack's config from the prompts' defaults."""
    copied = set()
    for source in sorted(template.rglob("*")):
        relative = source.relative_to(template)
        if IGNORED & set(relative.parts) or source.is_dir():
            continue
        target = dest / str(relative).replace("${PROJECT}", project)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text()
        target.write_text(text.replace("${PROJECT}", project).replace("${DESCRIPTION}", description))
        copied.add(str(relative))
    prompts = yaml.safe_load((template / "Pulumi.yaml").read_text())["template"]["config"]
    values = {key: answers.get(key, entry.get("default")) for key, entry in prompts.items()}
    assert None not in values.values(), f"a prompt without a default needs an answer: {values}"
    (dest / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": values}))
    return copied


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_declares_pulumi_new_placeholders_and_prompts(name):
    template = TEMPLATES[name][0]
    text = (template / "Pulumi.yaml").read_text()
    project = yaml.safe_load(text)
    assert project["name"] == "${PROJECT}" and project["description"] == "${DESCRIPTION}"
    assert project["template"]["description"]
    prompts = project["template"]["config"]
    assert prompts and all(entry.get("description") for entry in prompts.values())
    assert project["runtime"]["name"] == "python"


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_instantiated_template_renders_clean_with_every_guardrail(tmp_path, monkeypatch, name):
    monkeypatch.delenv("GIT_TOKEN", raising=False)
    monkeypatch.delenv("PLATFORM_GIT_TOKEN", raising=False)
    template, stack, answers, expected = TEMPLATES[name]
    dest = tmp_path / "acme-app"
    copied = pulumi_new(template, dest, "acme-app", "Acme's app", stack, answers)
    assert copied == expected
    assert not any(part in ("conftest.py", "fixtures") for path in copied for part in Path(path).parts)
    for path in copied:
        text = (dest / path).read_text()
        assert "${PROJECT}" not in text and "${DESCRIPTION}" not in text
    assert yaml.safe_load((dest / "Pulumi.yaml").read_text())["name"] == "acme-app"
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["render", "--project", str(dest), "--stack", stack, "--out", str(out), "--check"]
    )
    assert result.exit_code == 0, result.output
    assert f"guardrails: {len(RULES)} rules, 0 violations" in result.output
    plan = json.loads((out / "plan.json").read_text())
    assert plan["stack"] == stack and plan["resources"]
    assert "::acme-app::" in json.dumps(plan)  # the project name came from `pulumi new`, not the template


def test_team_template_passes_the_rules_it_used_to_fail(tmp_path):
    """The team's secret uses the platform's CMK and its AWS provider carries the required tags."""
    out = tmp_path / "out"
    project = REPO_ROOT / "examples/team-template"
    result = CliRunner().invoke(
        main, ["render", "--project", str(project), "--stack", "example", "--out", str(out), "--check"]
    )
    assert result.exit_code == 0, result.output
    assert "secrets-manager-cmk" not in result.output and "required-tags" not in result.output


def test_the_root_project_is_no_template_and_keeps_its_layout():
    project = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())
    assert "template" not in project and "main" not in project
    assert project["name"] == "platform-kit" and project["stackConfigDir"] == "stacks"


def test_the_platform_template_runs_the_same_program_as_the_stacks():
    """templates/platform/__main__.py is a standalone copy (pulumi new copies only the template): same code."""

    def body(path: Path) -> list[str]:
        lines = path.read_text().split('"""', 2)[2].splitlines()
        code = [line.split("  #")[0].rstrip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        return [line.replace(".parent.parent", ".parent") for line in code]

    assert body(REPO_ROOT / "templates" / "platform" / "__main__.py") == body(REPO_ROOT / "stacks" / "__main__.py")
