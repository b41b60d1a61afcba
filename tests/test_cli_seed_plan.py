"""`platform-kit seed --plan` and upgrade reporting, end to end against a real git daemon.

A rendered file changes when the stack's config changes (here `gitops.reconcileInterval`),
exactly as it does when a new library version changes a template: untouched files are
proposed on the upgrade branch, human-edited ones are skipped, nothing else moves.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import yaml
from click.testing import CliRunner
from stack_support import project_skeleton

from platform_kit.cli import main
from platform_kit.config import load_stack_file
from platform_kit.repo import render_config_repo

REPO_ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0"}


def git(*args: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def write_stack(project: Path, reconcile: str) -> None:
    config = {
        "platform:environment": "dev",
        "platform:cluster": {"kind": "existing", "name": "dev", "kubeconfig": {"path": "~/.kube/config"}},
        "platform:gitops": {"agent": "flux", "reconcileInterval": reconcile},
        "platform:repo": {"url": "https://git.example.com/org/platform-config.git"},
    }
    (project / "stacks" / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))


def rendered(project: Path) -> dict[str, str]:
    return {m.path: m.content for m in render_config_repo(load_stack_file(project, "dev"))}


def seed(project: Path, url: str, *extra: str):
    result = CliRunner().invoke(main, ["seed", "--stack", "dev", "--repo", url, "--project", str(project), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_seed_plan_then_seed_propose_a_config_change_and_skip_human_edits(tmp_path, git_daemon):
    project = project_skeleton(tmp_path / "project")
    repo, url = git_daemon.create_repo("config"), git_daemon.url("config")
    write_stack(project, "10m")
    before_change = rendered(project)
    assert seed(project, url).exit_code == 0
    work = tmp_path / "work"
    git("clone", "-q", url, str(work))
    (work / "clusters/dev/apps.yaml").write_text("# ours now\n")
    git("-c", "user.name=h", "-c", "user.email=h@example.com", "commit", "-qam", "edit", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    write_stack(project, "30m")  # changes clusters/dev/apps.yaml, clusters/dev/infrastructure.yaml, ...
    after_change = rendered(project)
    differ = {path for path, content in after_change.items() if before_change.get(path) != content}
    assert {"clusters/dev/apps.yaml", "clusters/dev/infrastructure.yaml"} <= differ
    proposed = sorted(differ - {"clusters/dev/apps.yaml"})  # apps.yaml is the human's now
    refs = git("--git-dir", str(repo), "for-each-ref")

    planned = seed(project, url, "--plan")

    assert planned.exit_code == 0, planned.output
    lines = planned.output.splitlines()
    assert lines[0] == f"plan for {url} (main) (nothing pushed):"
    assert lines[1] == "create: 0 files"
    # same templates, other config: proposed on a config branch named for the change, not a version upgrade
    (line,) = [line for line in lines if line.startswith("propose on ")]
    branch = line.split()[2].removesuffix(":")
    assert re.fullmatch(r"platform-kit/config-dev-[0-9a-f]{12}", branch), line
    assert line == f"propose on {branch}: {len(proposed)} files"
    assert all(f"  {path}" in lines for path in proposed)
    assert "skipped: edited by humans: 1 file" in lines and "  clusters/dev/apps.yaml" in lines
    assert git("--git-dir", str(repo), "for-each-ref") == refs  # --plan pushed nothing

    done = seed(project, url)

    assert done.exit_code == 0, done.output
    assert done.output.startswith("nothing to seed: all ")  # nothing was missing on main
    assert f"proposed {len(proposed)} files whose rendering changed on branch {branch}" in done.output
    assert "skipped 1 file: edited by humans since the seed (left untouched)" in done.output
    changed = git("--git-dir", str(repo), "diff", "--name-only", "main", branch).split()
    assert changed == [".platform-kit/seed-dev.json", *proposed]
    assert git("--git-dir", str(repo), "show", "main:clusters/dev/apps.yaml") == "# ours now\n"
    assert "30m" in git("--git-dir", str(repo), "show", f"{branch}:clusters/dev/infrastructure.yaml")
    assert "30m" not in git("--git-dir", str(repo), "show", "main:clusters/dev/infrastructure.yaml")

    again = seed(project, url, "--plan")
    assert f"propose on {branch} (already there): {len(proposed)} files" in again.output
    message = git("--git-dir", str(repo), "log", "-1", "--format=%s", branch).strip()
    assert message == "platform-kit: config change for dev"

    # someone pushes onto the proposal branch: the seed cannot propose, which is not a success (exit 1)
    git("fetch", "-q", "origin", branch, cwd=work)
    git("checkout", "-q", "-b", "review", f"origin/{branch}", cwd=work)
    (work / "clusters/dev/infrastructure.yaml").write_text("# reviewed\n")
    git("-c", "user.name=h", "-c", "user.email=h@example.com", "commit", "-qam", "review", cwd=work)
    git("push", "-q", "origin", f"HEAD:{branch}", cwd=work)
    refused = seed(project, url)
    assert refused.exit_code == 1, refused.output
    assert f"not proposed: branch {branch} already exists with other changes" in refused.output
