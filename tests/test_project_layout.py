"""Pulumi.yaml's layout: the program and the Python dynamic provider must find the same virtualenv.

The rules below are Pulumi's, read from pulumi/pulumi (commit 1b5949891b3c, Aug 2026):
- the engine runs the program and starts every plugin in the `main` directory
  (pkg/engine/project.go `getPwdMain`; sdk/go/common/resource/plugin/plugin.go `ExecPlugin`,
  `cmd.Dir = pwd` with pwd = `plugin.Context.Pwd`);
- the language host resolves a relative `virtualenv` against the project root, the directory of
  Pulumi.yaml (sdk/python/toolchain/pip.go `resolveVirtualEnvironmentPath(root, virtualenv)`);
- the dynamic provider `pulumi-resource-pulumi-python` (sdk/python/dist/) gets the raw option as
  `PULUMI_RUNTIME_VIRTUALENV` (sdk/go/common/resource/plugin/provider_plugin.go) and makes it
  absolute against `$PWD`, its working directory (pulumi/pulumi#7061).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from platform_kit.offline.preview import program_path, run_stack

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO_ROOT / "examples").glob("*/Pulumi.yaml"))
OLD_PROJECT = {
    "name": "platform-kit",
    "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}},
    "main": "stacks/",
    "stackConfigDir": "stacks",
}
"""Pulumi.yaml before this layout (commit 8aaf08f)."""


def plugin_directory(root: Path, project: dict[str, Any]) -> Path:
    """Where Pulumi runs the program and starts plugins: `getPwdMain` (a directory `main`, or a file's parent)."""
    main = project.get("main")
    if not main:
        return root
    path = root / main
    return path if path.is_dir() else path.parent


def _virtualenv(project: dict[str, Any]) -> str | None:
    runtime = project["runtime"]
    options = runtime.get("options", {}) if isinstance(runtime, dict) else {}
    toolchain = options.get("toolchain", "pip")
    assert toolchain == "pip", f"the rules below are the pip toolchain's; model {toolchain}'s before switching to it"
    return options.get("virtualenv")


def program_venv(root: Path, project: dict[str, Any]) -> Path | None:
    """The language host's virtualenv: relative to the project root (None: the ambient Python)."""
    venv = _virtualenv(project)
    return None if venv is None else root / venv


def provider_venv(root: Path, project: dict[str, Any]) -> Path | None:
    """The dynamic provider's virtualenv: relative to its working directory (None: `python3`)."""
    venv = _virtualenv(project)
    return None if venv is None else plugin_directory(root, project) / venv.rstrip("/")


def test_program_and_dynamic_provider_share_the_root_venv():
    project = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())
    assert program_venv(REPO_ROOT, project) == provider_venv(REPO_ROOT, project) == REPO_ROOT / ".venv"
    assert project["stackConfigDir"] == "stacks"
    # `.venv` at the root is where the Quick start creates it.
    assert "python3 -m venv .venv " in (REPO_ROOT / "README.md").read_text()


@pytest.mark.parametrize("main", ["stacks/", "stacks", "stacks/__main__.py"])
def test_a_main_below_the_root_sends_the_provider_to_another_venv(main):
    project = OLD_PROJECT | {"main": main}
    assert program_venv(REPO_ROOT, project) == REPO_ROOT / ".venv"
    assert provider_venv(REPO_ROOT, project) == REPO_ROOT / "stacks" / ".venv"


@pytest.mark.parametrize("project_file", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_examples_resolve_one_venv(project_file: Path):
    root = project_file.parent
    project = yaml.safe_load(project_file.read_text())
    assert program_venv(root, project) == provider_venv(root, project)
    assert plugin_directory(root, project) == root


def test_offline_engine_runs_the_root_entry_point_which_runs_the_stack_program():
    assert program_path(REPO_ROOT) == REPO_ROOT / "__main__.py"
    run = run_stack(REPO_ROOT, "local")
    assert [r.name for r in run.registrations if r.type == "platform-kit:platform:Platform"] == ["local"]
    # The root is on sys.path under Pulumi now: no top-level module may shadow the standard library.
    shadowing = [p.name for p in REPO_ROOT.glob("*.py") if p.stem in sys.stdlib_module_names]
    assert shadowing == []
