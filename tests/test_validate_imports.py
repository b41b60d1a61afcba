"""`platform-kit validate` stays instant: it imports no Pulumi SDK, no provider SDK, no dulwich (issue 14).

The wall time is measured by benchmarks/validate.py; this test checks only the deterministic part.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pulumi", "pulumi_kubernetes", "pulumi_aws", "pulumi_random", "pulumi_github", "pulumi_tls", "grpc", "dulwich")


def test_validate_imports_no_pulumi_provider_or_git_library():
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
        if m.split(".")[1] in ("gitops", "publish")
        and m.count(".") > 1
        and m not in ("platform_kit.publish.auth", "platform_kit.publish.errors")
    ], loaded
