"""`platform-kit validate` stays instant: it imports no Pulumi SDK, no provider SDK, no dulwich (issue 14).

The wall time is measured by benchmarks/validate.py; these tests check only the deterministic part:
which modules the process imported, read from `python -X importtime` of the real entry point
(`python -m platform_kit.cli`, what the `platform-kit` console script runs).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pulumi", "pulumi_kubernetes", "pulumi_aws", "pulumi_random", "pulumi_github", "pulumi_tls", "grpc", "dulwich")
PURE_ALLOWED = ("platform_kit.delivery.credentials", "platform_kit.publish.auth", "platform_kit.publish.errors")
"""The only modules of the Pulumi-free delivery packages that validate loads (credential references, URL redaction)."""


def imported_modules(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -X importtime -m platform_kit.cli ARGS` in the project; (the result, every module it imported)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "platform_kit.cli", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "platform_kit.cli" in modules, result.stderr[-2000:]  # the report was read
    return result, modules


@pytest.mark.parametrize(
    "args",
    [("validate", "--stack", "dev"), ("validate", "--stack", "local"), ("--help",), ("validate", "--help")],
    ids=["validate-dev", "validate-local", "help", "validate-help"],
)
def test_validate_and_help_import_no_pulumi_provider_or_git_library(args):
    result, modules = imported_modules(*args)
    assert result.returncode == 0, result.stderr[-2000:]
    if args[0] == "validate" and "--help" not in args:
        assert f"stack {args[2]}: valid" in result.stdout
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert not heavy, f"platform-kit {' '.join(args)} imported {heavy}"
    assert not [
        m
        for m in modules
        if m.startswith("platform_kit.")
        and m.split(".")[1] in ("gitops", "offline", "publish", "delivery", "validation", "testing")
        and m.count(".") > 1
        and m not in PURE_ALLOWED
    ], sorted(m for m in modules if m.startswith("platform_kit."))


def test_the_check_sees_pulumi_when_a_command_imports_it(tmp_path):
    """The same reading shows the Pulumi SDK and the providers when a command loads them: it can fail."""
    result, modules = imported_modules("render", "--stack", "dev", "--out", str(tmp_path / "render"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert {"pulumi", "pulumi_kubernetes", "pulumi_aws"} <= modules


def test_validate_in_process_imports_no_pulumi_provider_or_git_library():
    script = (
        "import sys\n"
        f"sys.argv = ['platform-kit', 'validate', '--stack', 'dev', '--project', {str(REPO_ROOT)!r}]\n"
        "from platform_kit.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('platform_kit.'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert "stack dev: valid" in lines[0]
    assert lines[1] == "[]", f"validate imported {lines[1]}"
    loaded = lines[2].split()
    assert not [
        m
        for m in loaded
        if m.split(".")[1] in ("gitops", "offline", "publish", "delivery", "validation", "testing")
        and m.count(".") > 1
        and m not in PURE_ALLOWED
    ], loaded
