"""Layering and import cost, checked with real tools on the real package."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_existing_cluster_stack_never_imports_pulumi_aws():
    script = (
        "import sys\n"
        "from platform_kit.offline.preview import run_stack\n"
        f"run = run_stack({str(REPO_ROOT)!r}, 'local')\n"
        "assert run.registrations\n"
        "print('pulumi_aws' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_code_passes_the_linter():
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run(
        [str(ruff), "check", "platform_kit", "stacks", "tests", "benchmarks", "examples"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


TEST_MODULES = sorted([*(REPO_ROOT / "tests").glob("*.py"), *(REPO_ROOT / "examples").glob("*/tests/*.py")])
FACTORY_MODULES = {REPO_ROOT / "tests" / "factories.py"}
"""The one place tests build a platform config (tests/conftest.py hands out the same functions)."""
CONFIG_KEYS = {"environment", "cluster", "gitops", "repo"}


def _private(dotted: str) -> bool:
    return any(part.startswith("_") and not part.endswith("__") for part in dotted.split("."))


def hygiene_findings(source: str) -> list[str]:
    """`line: what` for every private platform_kit name a test module imports or reads off an imported
    platform_kit name, and every config it builds by hand (a dict of the `platform:` keys, or a helper
    returning `parse_platform_config(...)`)."""
    tree = ast.parse(source)
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "platform_kit":
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "platform_kit":
                    bound[alias.asname or "platform_kit"] = alias.name if alias.asname else "platform_kit"
    by_line: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            chain, base = [node.attr], node.value
            while isinstance(base, ast.Attribute):
                chain.insert(0, base.attr)
                base = base.value
            if isinstance(base, ast.Name) and base.id in bound:
                by_line.append((node.lineno, f"{node.lineno}: uses {'.'.join([bound[base.id], *chain])}"))
        elif isinstance(node, ast.Dict):
            keys = {key.value for key in node.keys if isinstance(key, ast.Constant)}
            if "environment" in keys and len(keys & CONFIG_KEYS) >= 3:  # overrides for the factory may hold the rest
                by_line.append((node.lineno, f"{node.lineno}: builds a config by hand"))
        elif isinstance(node, ast.FunctionDef) and not node.name.startswith("test_"):
            for inner in ast.walk(node):
                value = inner.value if isinstance(inner, ast.Return) else None
                if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "parse_platform_config":
                    by_line.append((node.lineno, f"{node.lineno}: {node.name} builds a config by hand"))
    private = [f"imports {name}" for name in sorted(set(bound.values())) if _private(name)]
    return private + [text for _, text in sorted(by_line)]


def test_tests_use_public_names_and_the_one_config_factory():
    findings = [
        f"{path.relative_to(REPO_ROOT)}:{finding}"
        for path in TEST_MODULES
        if path not in FACTORY_MODULES
        for finding in hygiene_findings(path.read_text())
    ]
    assert len(TEST_MODULES) > 50
    assert findings == []
    # the check reads what it should
    planted = (
        "import platform_kit.cluster.eks as eks\n"
        "from platform_kit import _compat\n"
        "from platform_kit.config import parse_platform_config\n"
        "def config_for(agent):\n"
        "    return parse_platform_config({'environment': 'dev', 'gitops': {'agent': agent}, 'repo': {}})\n"
        "original = eks.EksCluster._network\n"
    )
    assert hygiene_findings(planted) == [
        "imports platform_kit._compat",
        "4: config_for builds a config by hand",
        "5: builds a config by hand",
        "6: uses platform_kit.cluster.eks.EksCluster._network",
    ]
