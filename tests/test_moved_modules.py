"""Modules and names that moved keep working at their old path for one release, with a DeprecationWarning."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

MOVED_MODULES = {
    "platform_kit.repo.flux_repo": "platform_kit.repo.flux.layout",
    "platform_kit.repo.flux_helm": "platform_kit.repo.flux.helm",
    "platform_kit.repo.flux_notifications": "platform_kit.repo.flux.notifications",
    "platform_kit.repo.teams.flux": "platform_kit.repo.flux.teams",
    "platform_kit.repo.argocd_repo": "platform_kit.repo.argocd.layout",
    "platform_kit.repo.argocd_health": "platform_kit.repo.argocd.health",
    "platform_kit.repo.argocd_notifications": "platform_kit.repo.argocd.notifications",
    "platform_kit.repo.argocd_patches": "platform_kit.repo.argocd.patches",
    "platform_kit.repo.argocd_root": "platform_kit.repo.argocd.root",
    "platform_kit.repo.argocd_services": "platform_kit.repo.argocd.services",
    "platform_kit.repo.teams.argocd": "platform_kit.repo.argocd.teams",
    "platform_kit.engine": "platform_kit.offline.engine",
    "platform_kit.fakes": "platform_kit.offline.fakes",
    "platform_kit.preview": "platform_kit.offline.preview",
    "platform_kit.preview_inflate": "platform_kit.offline.preview_inflate",
    "platform_kit.summary": "platform_kit.offline.summary",
    "platform_kit.gitops.credentials": "platform_kit.delivery.credentials",
    "platform_kit.gitops.seed_report": "platform_kit.delivery.seed_report",
}
"""Every module that moved (CHANGELOG.md): its old path -> its new one."""
MOVED_NAMES = {
    ("platform_kit.gitops.seed", "plan_seed"): ("platform_kit.delivery.seeding", "preview_seed"),
    ("platform_kit.gitops.seed", "publish_seed"): ("platform_kit.delivery.seeding", "publish_seed"),
    ("platform_kit.gitops.seed", "proposal_host"): ("platform_kit.delivery.seeding", "proposal_host"),
    ("platform_kit.gitops.seed", "pull_request_target"): ("platform_kit.delivery.seeding", "pull_request_target"),
}

FORWARDING_TESTS = {"tests/test_moved_modules.py", "tests/test_public_api.py"}
"""The tests that import old paths on purpose."""


def run(script: str) -> dict:
    """Run `script` in a fresh interpreter (nothing imported yet) that records warnings; its printed JSON."""
    prelude = "import json, warnings\nwarnings.simplefilter('always')\n"
    result = subprocess.run([sys.executable, "-c", prelude + script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("old,new", MOVED_MODULES.items(), ids=list(MOVED_MODULES))
def test_an_old_module_path_is_the_new_module_and_warns_at_the_importing_line(old, new):
    found = run(
        "import importlib\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        f"    from {old.rsplit('.', 1)[0]} import {old.rsplit('.', 1)[1]} as old  # the importing line\n"
        f"new = importlib.import_module({new!r})\n"
        "print(json.dumps({'same': old is new, 'warnings': [\n"
        "    [w.category.__name__, str(w.message), w.filename, w.lineno] for w in caught]}))\n"
    )
    assert found["same"]
    assert found["warnings"] == [
        [
            "DeprecationWarning",
            f"{old} moved to {new}; the old path goes in the next release",
            "<string>",
            5,  # the `from ... import` line of the script (after the two lines of the prelude)
        ]
    ]


@pytest.mark.parametrize("old,new", MOVED_NAMES.items(), ids=[name for _, name in MOVED_NAMES])
def test_an_old_name_of_the_seed_module_forwards_with_a_warning(old, new):
    found = run(
        f"import {old[0]} as old, {new[0]} as new\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        f"    value = old.{old[1]}\n"
        f"print(json.dumps({{'same': value is new.{new[1]},\n"
        "    'warnings': [[w.category.__name__, str(w.message)] for w in caught]}))\n"
    )
    assert found["same"]
    assert found["warnings"] == [
        [
            "DeprecationWarning",
            f"{old[0]}.{old[1]} moved to {new[0]}.{new[1]}; the old name goes in the next release",
        ]
    ]


def test_the_seed_component_and_its_provider_stay_in_gitops_seed_without_warnings():
    """Pulumi state pickles `_SeedProvider` by import path: it must stay defined in platform_kit.gitops.seed."""
    found = run(
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    from platform_kit.gitops.seed import (\n"
        "        SEED_COMMIT_TYPE, SEED_MESSAGE, ConfigRepoSeed, ConfigRepoSeedArgs, PullRequestTarget,\n"
        "        _SeedProvider, seeded_files)\n"
        "    from platform_kit.delivery import seeding\n"
        "print(json.dumps({'provider': _SeedProvider.__module__, 'component': ConfigRepoSeed.__module__,\n"
        "    'target': PullRequestTarget is seeding.PullRequestTarget,\n"
        "    'message': SEED_MESSAGE == seeding.SEED_MESSAGE,\n"
        "    'warnings': [str(w.message) for w in caught]}))\n"
    )
    assert found == {
        "provider": "platform_kit.gitops.seed",
        "component": "platform_kit.gitops.seed",
        "target": True,
        "message": True,
        "warnings": [],
    }
    from platform_kit.gitops import seed

    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        getattr(seed, "no_such_name")  # noqa: B009 (the module's __getattr__ is what is tested)


def test_testing_manifests_re_exports_validation_without_a_warning():
    found = run(
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    import platform_kit.testing.manifests as old\n"
        "import platform_kit.validation.manifests as new\n"
        "print(json.dumps({'same': all(getattr(old, n) is getattr(new, n) for n in new.__all__),\n"
        "    'names': sorted(old.__all__), 'warnings': [str(w.message) for w in caught]}))\n"
    )
    assert found["same"] and "validate_tree" in found["names"] and found["warnings"] == []


def old_path_imports(path: Path, old_paths: set[str]) -> list[str]:
    """`file:line old.path` for every import of an old path in the Python file at `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        found += [f"{path}:{node.lineno} {name}" for name in names if name in old_paths]
    return found


def test_nothing_shipped_or_tested_imports_an_old_path(tmp_path):
    """The package, the stack programs, templates, examples, benchmarks and tests use the new paths."""
    old_paths = set(MOVED_MODULES) | {f"{module}.{name}" for module, name in MOVED_NAMES}
    roots = ["platform_kit", "stacks", "templates", "examples", "benchmarks", "tests", "policy"]
    files = [path for root in roots for path in (REPO_ROOT / root).rglob("*.py")] + [REPO_ROOT / "__main__.py"]
    files = [path for path in files if str(path.relative_to(REPO_ROOT)) not in FORWARDING_TESTS]
    assert len(files) > 100
    assert [hit for path in files for hit in old_path_imports(path, old_paths)] == []
    # the check reads what it should: old paths in a file are reported
    planted = tmp_path / "program.py"
    planted.write_text("import platform_kit.preview\nfrom platform_kit.gitops.seed import ConfigRepoSeed, plan_seed\n")
    assert [hit.split(":", 1)[1] for hit in old_path_imports(planted, old_paths)] == [
        "1 platform_kit.preview",
        "2 platform_kit.gitops.seed.plan_seed",
    ]
