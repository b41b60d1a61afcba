"""Issue 13 (concurrency, scale): what a hostile tester found, reproduced for real.

- 8 environments seeding one repo at once, in 8 processes: a local bare repo (the Quick
  start's kind of remote), a local path that does not exist yet, git daemon and smart HTTP.
  Every seed lands as its own commit and nothing is lost.
- A ref locked by another git process (a human's push) is a race to retry, not an error.
- The no-op re-seed parses each tree once (linear in files) and reads no blob whose id
  already matches the template; counted, not timed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from dulwich.objects import Blob, Tree
from factories import make_config
from teams_support import TEAMS_CONFIG, many_teams, rendered

from platform_kit.publish import seed_files
from platform_kit.testing.git_server import HTTP_TOKEN, HTTP_USER, git

pytest_plugins = ["platform_kit.testing.git_server"]

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENTS = [f"env-{i}" for i in range(8)]
SHARED = {"README.md": "# platform config\n"}  # every environment renders it; the first seed creates it

SEEDER = """
import json, os, sys, time
from pathlib import Path
url, environment, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
from platform_kit.publish import GitAuth, seed_files
auth = GitAuth(os.environ["PK_USER"], os.environ["PK_TOKEN"]) if os.environ.get("PK_TOKEN") else None
files = {f"clusters/{environment}/app-{n}.yaml": f"env: {environment}\\nn: {n}\\n" for n in range(12)}
files |= json.loads(os.environ["PK_SHARED"])
deadline = time.monotonic() + 60
while not go.exists() and time.monotonic() < deadline:  # all start together, imports done
    time.sleep(0.005)
try:
    result = seed_files(url, files, environment=environment, library_version="1.0.0", template_version="1",
                        message=f"seed {environment}", auth=auth, create_local=True)
except Exception as exc:
    print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
    sys.exit(1)
print(json.dumps({"commit": result.commit, "attempts": result.attempts}))
"""


def env_files(environment: str) -> set[str]:
    return {f"clusters/{environment}/app-{n}.yaml" for n in range(12)}


def seed_at_once(url: str, go: Path, *, auth: bool = False) -> list[dict]:
    """8 processes, one per environment, released together; their JSON results."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "PK_SHARED": json.dumps(SHARED),
        "PK_USER": HTTP_USER if auth else "",
        "PK_TOKEN": HTTP_TOKEN if auth else "",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SEEDER, url, name, str(go)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for name in ENVIRONMENTS
    ]
    time.sleep(0.5)
    go.touch()
    results = []
    for name, proc in zip(ENVIRONMENTS, procs, strict=True):
        out, err = proc.communicate(timeout=180)
        lines = out.decode().strip().splitlines()
        results.append({"environment": name, "rc": proc.returncode, **(json.loads(lines[-1]) if lines else {})})
        assert lines, f"{name} printed nothing: {err.decode()[-2000:]}"
    return results


def assert_one_commit_each(repo: Path, results: list[dict]) -> None:
    failed = [r for r in results if r["rc"] != 0]
    assert failed == [], failed
    subjects = git("--git-dir", str(repo), "log", "--format=%s", "main").splitlines()
    assert sorted(subjects) == sorted(f"seed {name}" for name in ENVIRONMENTS)  # one each, nothing else
    for r in results:
        git("--git-dir", str(repo), "merge-base", "--is-ancestor", r["commit"], "main")
    paths = set(git("--git-dir", str(repo), "ls-tree", "-r", "--name-only", "main").split())
    expected = set(SHARED) | {f".platform-kit/seed-{name}.json" for name in ENVIRONMENTS}
    for name in ENVIRONMENTS:
        expected |= env_files(name)
    assert paths == expected  # nothing lost, nothing extra
    for name in ENVIRONMENTS:
        record = json.loads(git("--git-dir", str(repo), "show", f"main:.platform-kit/seed-{name}.json"))
        assert set(record["files"]) == env_files(name) | set(SHARED)


@pytest.mark.parametrize("round_", range(3))
def test_eight_processes_seed_one_local_bare_repo(tmp_path, round_):
    repo = tmp_path / "config.git"
    git("init", "-q", "--bare", "-b", "main", str(repo))
    assert_one_commit_each(repo, seed_at_once(str(repo), tmp_path / "go"))


@pytest.mark.parametrize("round_", range(3))
def test_eight_processes_seed_a_local_path_that_does_not_exist_yet(tmp_path, round_):
    repo = tmp_path / "not" / "yet" / "config.git"
    assert_one_commit_each(repo, seed_at_once(str(repo), tmp_path / "go"))
    leftovers = [p.name for p in repo.parent.iterdir() if p != repo]
    assert leftovers == []  # the losers' temporary repos are gone


@pytest.mark.parametrize("round_", range(2))
def test_eight_processes_seed_through_git_daemon(git_daemon, tmp_path, round_):
    repo = git_daemon.create_repo("cfg")
    assert_one_commit_each(repo, seed_at_once(git_daemon.url("cfg"), tmp_path / "go"))


@pytest.mark.parametrize("round_", range(2))
def test_eight_processes_seed_through_smart_http(git_http_server, tmp_path, round_):
    repo = git_http_server.create_repo("cfg")
    assert_one_commit_each(repo, seed_at_once(git_http_server.url("cfg"), tmp_path / "go", auth=True))


def test_ref_locked_by_another_git_process_is_retried(tmp_path):
    """`refs/heads/main.lock` exists while a human's push updates the branch: wait and retry."""
    repo = tmp_path / "config.git"
    seed_files(str(repo), {"README.md": "base\n"}, environment="dev", library_version="1", template_version="1",
               create_local=True)  # fmt: skip
    lock = repo / "refs" / "heads" / "main.lock"
    lock.write_text("")
    threading.Timer(0.4, lock.unlink).start()
    result = seed_files(
        str(repo), {"README.md": "base\n", "a.yaml": "a\n"}, environment="dev", library_version="1",
        template_version="1",
    )  # fmt: skip
    assert result.commit is not None and result.attempts > 1 and not lock.exists()
    assert git("--git-dir", str(repo), "show", "main:a.yaml") == "a\n"


class Parsed:
    """Counts the tree entries and blobs dulwich parses (deterministic, unlike time)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tree_entries = self.blobs = 0
        tree_parse, blob_parse = Tree._deserialize, Blob._deserialize

        def tree(obj, chunks):  # type: ignore[no-untyped-def]
            tree_parse(obj, chunks)
            self.tree_entries += len(obj._entries)

        def blob(obj, chunks):  # type: ignore[no-untyped-def]
            blob_parse(obj, chunks)
            self.blobs += 1

        monkeypatch.setattr(Tree, "_deserialize", tree)
        monkeypatch.setattr(Blob, "_deserialize", blob)


def noop_reseed_cost(tmp_path: Path, teams: int) -> tuple[int, int, int]:
    """(files, tree entries parsed, blobs parsed) by a no-op re-seed of a stack with `teams` teams."""
    files = rendered(make_config(TEAMS_CONFIG, cluster="eks", teams=many_teams(teams)))
    url = str(tmp_path / f"config-{teams}.git")
    kw = {"environment": "dev", "library_version": "1", "template_version": "1", "create_local": True}
    assert seed_files(url, files, **kw).commit is not None
    with pytest.MonkeyPatch.context() as mp:
        parsed = Parsed(mp)
        assert seed_files(url, files, **kw).commit is None
    return len(files), parsed.tree_entries, parsed.blobs


def test_noop_reseed_parses_each_tree_once_and_reads_no_matching_blob(tmp_path):
    files_small, entries_small, blobs_small = noop_reseed_cost(tmp_path, 300)
    files_large, entries_large, blobs_large = noop_reseed_cost(tmp_path, 600)
    # Every tree of the repo once holds about files + directories entries; per path it was files x width.
    assert entries_small <= 2 * files_small and entries_large <= 2 * files_large
    assert entries_large / entries_small < 1.2 * files_large / files_small  # linear, not quadratic
    # Every file matched by blob id, and the record by the id of the record this seed would write.
    assert blobs_small == blobs_large == 0
