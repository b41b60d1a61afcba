"""The config repo's seeded CI workflow, and the `validate-repo` gate it runs."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from platform_kit import __version__
from platform_kit.cli import main
from platform_kit.config import load_stack_file
from platform_kit.config.library import LibraryConfig
from platform_kit.repo import render_config_repo
from platform_kit.repo.ci_workflow import WORKFLOW_PATH, ci_workflow

REPO_ROOT = Path(__file__).resolve().parent.parent


def write(files, root: Path) -> Path:
    for manifest in files:
        target = root / manifest.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(manifest.content)
    return root


def test_every_layout_seeds_the_same_workflow():
    for stack in ("local", "local-argocd", "dev", "staging"):
        files = {m.path: m.content for m in render_config_repo(load_stack_file(REPO_ROOT, stack))}
        assert files[WORKFLOW_PATH] == ci_workflow().content


def test_the_workflow_installs_from_platform_library():
    library = LibraryConfig(url="git+https://github.com/acme/platform-kit@v0.1.0")
    config = load_stack_file(REPO_ROOT, "dev").model_copy(update={"library": library})
    files = {m.path: m.content for m in render_config_repo(config)}
    assert files[WORKFLOW_PATH] == ci_workflow(library).content
    runs = [step.get("run", "") for step in yaml.safe_load(files[WORKFLOW_PATH])["jobs"]["validate"]["steps"]]
    assert 'pip install "platform-kit[validate] @ git+https://github.com/acme/platform-kit@v0.1.0"' in runs


def test_workflow_gates_pull_requests_with_the_validator_and_kyverno():
    workflow = yaml.safe_load(ci_workflow().content)
    assert "pull_request" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}
    steps = workflow["jobs"]["validate"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert f'pip install "platform-kit[validate]=={__version__}"' in runs
    assert "platform-kit validate-repo ." in runs
    policy = next(step for step in steps if "kyverno apply" in step.get("run", ""))
    assert "infrastructure/policies/policies.yaml" in policy["run"]
    assert "set -euo pipefail" in policy["run"]


def test_validate_repo_passes_on_a_seed_and_fails_on_a_broken_edit(tmp_path):
    root = write(render_config_repo(load_stack_file(REPO_ROOT, "dev")), tmp_path / "repo")
    ok = CliRunner().invoke(main, ["validate-repo", str(root)])
    assert ok.exit_code == 0, ok.output
    assert "every object valid" in ok.output
    apps = root / "clusters/dev/apps.yaml"
    apps.write_text(apps.read_text().replace("prune: true", "prune: yes-please"))
    broken = CliRunner().invoke(main, ["validate-repo", str(root)])
    assert broken.exit_code == 1
    assert "clusters/dev/apps.yaml" in broken.output
