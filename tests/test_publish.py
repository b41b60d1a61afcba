"""platform_kit.publish against real git servers (git daemon, smart HTTP, sshd)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import traceback
from pathlib import Path

import pytest

import platform_kit.publish.branch as branch_ops
from platform_kit.publish import (
    AuthenticationError,
    BranchNotFoundError,
    ConcurrentUpdateError,
    GitAuth,
    PublishError,
    PushRejectedError,
    RemoteUnreachableError,
    init_local_bare,
    plan_files,
    publish_files,
    redact_url,
)
from platform_kit.testing.git_server import HTTP_TOKEN, HTTP_USER, free_port

pytest_plugins = ["platform_kit.testing.git_server"]

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Human",
    "GIT_AUTHOR_EMAIL": "human@example.com",
    "GIT_COMMITTER_NAME": "Human",
    "GIT_COMMITTER_EMAIL": "human@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}
SEED = {
    "clusters/dev/flux-system/kustomization.yaml": "kind: Kustomization\n",
    "clusters/dev/infrastructure.yaml": "kind: Kustomization\nname: infra\n",
    "infrastructure/base/cert-manager/release.yaml": "kind: HelmRelease\n",
    "apps/dev/README.md": "# apps\n",
    "README.md": "# config repo\n",
    "bin/blob.dat": bytes(range(256)),
}
HOOK_SHEBANG = "#!/bin/sh\n"


def git(*args: str, cwd: Path | None = None, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode()}")
    return proc.stdout.decode()


def commit_count(repo: Path, branch: str = "main") -> int:
    out = git("--git-dir", str(repo), "rev-list", "--count", branch, check=False).strip()
    return int(out) if out.isdigit() else 0


def tree_paths(repo: Path, rev: str = "main") -> set[str]:
    return set(git("--git-dir", str(repo), "ls-tree", "-r", "--name-only", rev).split())


def show(repo: Path, path: str, rev: str = "main") -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(repo), "show", f"{rev}:{path}"], capture_output=True, check=True
    ).stdout


def human_push(url: str, work: Path, edits: dict[str, str], branch: str = "main") -> None:
    """Clone with the git CLI, edit, commit and push like a person would."""
    if not work.exists():
        git("clone", "-q", url, str(work))
    for path, content in edits.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(content)
    git("add", "-A", cwd=work)
    git("commit", "-qm", "human edit", cwd=work)
    git("push", "-q", "origin", f"HEAD:{branch}", cwd=work)


def install_hook(repo: Path, body: str) -> None:
    hook = repo / "hooks" / "pre-receive"
    hook.write_text(HOOK_SHEBANG + body)
    hook.chmod(0o755)


# --- core semantics over git:// ---------------------------------------------


def test_one_commit_with_nested_tree_on_empty_remote(git_daemon):
    repo = git_daemon.create_repo("cfg")
    result = publish_files(git_daemon.url("cfg"), SEED, message="seed it")
    assert result.commit is not None and result.head == result.commit
    assert sorted(result.created) == sorted(SEED) and result.existing == () and result.attempts == 1
    assert commit_count(repo) == 1
    assert git("--git-dir", str(repo), "rev-parse", "main").strip() == result.commit
    assert git("--git-dir", str(repo), "log", "--format=%P|%s|%an <%ae>", "main").strip() == (
        "|seed it|platform-kit <platform-kit@users.noreply.local>"
    )
    assert tree_paths(repo) == set(SEED)
    # real nested trees, not slash-named entries at the root
    top = git("--git-dir", str(repo), "ls-tree", "main").splitlines()
    assert {line.split("\t")[1] for line in top} == {"README.md", "apps", "bin", "clusters", "infrastructure"}
    assert all(" tree " in line for line in top if not line.endswith("README.md"))
    assert show(repo, "bin/blob.dat") == bytes(range(256))
    assert show(repo, "clusters/dev/infrastructure.yaml") == b"kind: Kustomization\nname: infra\n"
    git("--git-dir", str(repo), "fsck", "--strict")


def test_republish_is_a_noop(git_daemon):
    repo = git_daemon.create_repo("cfg")
    first = publish_files(git_daemon.url("cfg"), SEED)
    again = publish_files(git_daemon.url("cfg"), SEED)
    assert again.commit is None and again.created == ()
    assert again.head == first.commit and sorted(again.existing) == sorted(SEED)
    assert commit_count(repo) == 1


def test_human_edit_survives_republish(git_daemon, tmp_path):
    repo = git_daemon.create_repo("cfg")
    publish_files(git_daemon.url("cfg"), SEED)
    human_push(git_daemon.url("cfg"), tmp_path / "work", {"README.md": "# edited by a human\n"})
    head = git("--git-dir", str(repo), "rev-parse", "main").strip()
    result = publish_files(git_daemon.url("cfg"), SEED)  # README.md differs from SEED now
    assert result.commit is None and result.head == head and "README.md" in result.existing
    assert show(repo, "README.md") == b"# edited by a human\n"
    assert commit_count(repo) == 2


def test_only_missing_files_are_added(git_daemon, tmp_path):
    repo = git_daemon.create_repo("cfg")
    human_push(git_daemon.url("cfg"), tmp_path / "work", {"README.md": "mine\n", "clusters/dev/other.yaml": "x\n"})
    result = publish_files(git_daemon.url("cfg"), SEED)
    assert result.existing == ("README.md",)
    assert sorted(result.created) == sorted(set(SEED) - {"README.md"})
    assert commit_count(repo) == 2
    changed = git("--git-dir", str(repo), "diff-tree", "-r", "--name-only", "--no-commit-id", "main~1", "main")
    assert set(changed.split()) == set(SEED) - {"README.md"}
    assert show(repo, "README.md") == b"mine\n"
    assert tree_paths(repo) == set(SEED) | {"clusters/dev/other.yaml"}


def test_three_concurrent_publishers_all_land(git_daemon):
    repo = git_daemon.create_repo("cfg")
    publish_files(git_daemon.url("cfg"), {"README.md": "base\n"})
    barrier, results, errors = threading.Barrier(3), {}, []

    def run(i: int) -> None:
        files = {f"team-{i}/app-{n}/values.yaml": f"team: {i}\nn: {n}\n" for n in range(15)}
        barrier.wait()
        try:
            results[i] = publish_files(git_daemon.url("cfg"), files, message=f"team {i}", max_attempts=8)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(results) == 3
    assert commit_count(repo) == 4  # base + one per publisher, none lost
    assert len(tree_paths(repo)) == 1 + 45
    subjects = git("--git-dir", str(repo), "log", "--format=%s", "main").split("\n")
    assert sorted(s for s in subjects if s.startswith("team")) == ["team 0", "team 1", "team 2"]
    for res in results.values():
        assert len(res.created) == 15
        git("--git-dir", str(repo), "merge-base", "--is-ancestor", res.commit, "main")


def test_ref_moved_after_fetch_is_detected_and_retried(git_daemon, tmp_path, monkeypatch):
    repo = git_daemon.create_repo("cfg")
    publish_files(git_daemon.url("cfg"), {"README.md": "base\n"})
    real_fetch, calls = branch_ops.fetch_snapshot, []

    def fetch_then_race(*args, **kwargs):
        snap = real_fetch(*args, **kwargs)
        if not calls:  # a human pushes between our fetch and our push
            human_push(git_daemon.url("cfg"), tmp_path / "work", {"human.txt": "h\n", "a/x.yaml": "human\n"})
        calls.append(1)
        return snap

    monkeypatch.setattr(branch_ops, "fetch_snapshot", fetch_then_race)
    result = publish_files(git_daemon.url("cfg"), {"a/x.yaml": "ours\n", "a/y.yaml": "ours\n"})
    assert result.attempts == 2 and len(calls) == 2
    assert result.created == ("a/y.yaml",) and result.existing == ("a/x.yaml",)  # recomputed on new head
    assert show(repo, "a/x.yaml") == b"human\n" and show(repo, "human.txt") == b"h\n"
    assert commit_count(repo) == 3


RACING_HOOK = r"""cat >/dev/null
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
n=$(cat race-count 2>/dev/null || echo 0)
if [ "$n" -lt "{races}" ]; then
  echo $((n+1)) > race-count
  head=$(git rev-parse refs/heads/main)
  blob=$(echo "racer $n" | git hash-object -w --stdin)
  tree=$({{ git ls-tree "$head"; printf '100644 blob %s\tracer-%s.txt\n' "$blob" "$n"; }} | git mktree)
  c=$(echo "racer $n" | git commit-tree "$tree" -p "$head")
  git update-ref refs/heads/main "$c" "$head"
fi
exit 0
"""


def test_ref_moved_while_pushing_is_retried(git_daemon):
    """The server refuses our stale old-sha (another push landed mid-push): retry."""
    repo = git_daemon.create_repo("cfg")
    publish_files(git_daemon.url("cfg"), {"README.md": "base\n"})
    install_hook(repo, RACING_HOOK.format(races=1))
    result = publish_files(git_daemon.url("cfg"), {"ours.txt": "o\n"})
    assert result.attempts == 2
    assert tree_paths(repo) == {"README.md", "racer-0.txt", "ours.txt"}
    assert git("--git-dir", str(repo), "log", "--format=%s", "main").split("\n")[:2] == [
        "platform-kit: seed config repo",
        "racer 0",
    ]


def test_gives_up_with_concurrent_update_error(git_daemon):
    repo = git_daemon.create_repo("cfg")
    publish_files(git_daemon.url("cfg"), {"README.md": "base\n"})
    install_hook(repo, RACING_HOOK.format(races=100))
    with pytest.raises(ConcurrentUpdateError, match="gave up after 3 attempts") as info:
        publish_files(git_daemon.url("cfg"), {"ours.txt": "o\n"}, max_attempts=3)
    assert info.value.attempts == 3
    assert "ours.txt" not in tree_paths(repo) and commit_count(repo) == 4  # base + 3 racers


# --- failures ---------------------------------------------------------------


def test_unreachable_port_and_bad_repo(git_daemon):
    repo = git_daemon.create_repo("cfg")
    publish_files(git_daemon.url("cfg"), {"README.md": "base\n"})
    before = sorted(p.name for p in git_daemon.root.iterdir())
    port = free_port()
    for url in (
        f"git://127.0.0.1:{port}/cfg.git",
        f"http://127.0.0.1:{port}/cfg.git",
        git_daemon.url("does-not-exist"),
    ):
        with pytest.raises(RemoteUnreachableError, match="remote unreachable") as info:
            publish_files(url, SEED, max_attempts=5)
        assert url in str(info.value)
    assert sorted(p.name for p in git_daemon.root.iterdir()) == before
    assert commit_count(repo) == 1 and tree_paths(repo) == {"README.md"}


def test_wrong_token_is_authentication_error_without_leaking(git_http_server):
    repo = git_http_server.create_repo("cfg")
    url = git_http_server.url("cfg")
    publish_files(url, {"README.md": "base\n"}, auth=GitAuth(HTTP_USER, HTTP_TOKEN))
    bad = "wr0ng-t0ken-that-must-not-leak"
    attempts = [
        (url, GitAuth(HTTP_USER, bad)),
        (url.replace("http://", f"http://{HTTP_USER}:{bad}@"), None),  # credentials in the URL
    ]
    for target, auth in attempts:
        n_requests = len(git_http_server.requests)
        with pytest.raises(AuthenticationError) as info:
            publish_files(target, SEED, auth=auth)
        err = info.value
        assert str(err).startswith("authentication failed for http://")
        text = "".join(traceback.format_exception(err)) + repr(err) + repr(auth)
        assert bad not in text and err.__cause__ is None and err.__context__ is None
        assert git_http_server.requests[n_requests:] == [("GET", "/cfg.git/info/refs", 401)]  # no retry
    assert "http://***@127.0.0.1" in str(err)
    assert commit_count(repo) == 1 and tree_paths(repo) == {"README.md"}


def test_http_with_token_in_url_and_default_user(git_http_server):
    repo = git_http_server.create_repo("cfg")
    url = git_http_server.url("cfg").replace("http://", f"http://{HTTP_USER}:{HTTP_TOKEN}@")
    assert publish_files(url, {"a/b.txt": "b\n"}).commit is not None
    # token without username: basic auth user defaults to "git"
    assert publish_files(git_http_server.url("cfg"), {"c.txt": "c\n"}, auth=GitAuth(token=HTTP_TOKEN)).commit
    assert tree_paths(repo) == {"a/b.txt", "c.txt"} and commit_count(repo) == 2


def test_pre_receive_rejection(git_daemon):
    repo = git_daemon.create_repo("cfg")
    publish_files(git_daemon.url("cfg"), {"README.md": "base\n"})
    install_hook(repo, "cat >/dev/null\necho run >> hook-runs\necho 'main is frozen by policy' >&2\nexit 1\n")
    with pytest.raises(PushRejectedError) as info:
        publish_files(git_daemon.url("cfg"), SEED)
    assert "frozen by policy" in str(info.value) and "pre-receive hook declined" in info.value.reason
    assert (repo / "hook-runs").read_text() == "run\n"  # rejected once, not retried
    assert commit_count(repo) == 1 and tree_paths(repo) == {"README.md"}


def test_missing_branch_lists_branches(git_daemon, tmp_path):
    repo = git_daemon.create_repo("cfg")
    human_push(git_daemon.url("cfg"), tmp_path / "work", {"x.txt": "x\n"}, branch="dev")
    git("push", "-q", "origin", "HEAD:release", cwd=tmp_path / "work")
    with pytest.raises(BranchNotFoundError, match=r"branch 'main' not found .*branches: dev, release") as info:
        publish_files(git_daemon.url("cfg"), SEED)
    assert info.value.branches == ("dev", "release")
    assert git("--git-dir", str(repo), "rev-parse", "--verify", "-q", "main", check=False) == ""
    assert publish_files(git_daemon.url("cfg"), SEED, branch="dev").existing == ()


# --- local paths, validation, planning ---------------------------------------


def test_local_path_with_create_local(tmp_path):
    target = tmp_path / "nested" / "cfg.git"
    with pytest.raises(RemoteUnreachableError):
        publish_files(str(target), SEED)
    assert not target.exists()
    result = publish_files(str(target), SEED, create_local=True)
    assert result.commit and commit_count(target) == 1 and tree_paths(target) == set(SEED)
    assert git("--git-dir", str(target), "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    git("--git-dir", str(target), "fsck", "--strict")
    assert publish_files(f"file://{target}", SEED).commit is None
    other = tmp_path / "via-url.git"
    assert publish_files(f"file://{other}", {"x": "y"}, create_local=True).created == ("x",)
    assert git("--git-dir", str(other), "rev-parse", "--is-bare-repository").strip() == "true"


def test_init_local_bare_is_idempotent(tmp_path):
    target = tmp_path / "repo.git"
    init_local_bare(target)
    init_local_bare(target)
    assert git("--git-dir", str(target), "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert commit_count(target) == 0
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "file").write_text("x")
    with pytest.raises(PublishError, match="not a bare git repository"):
        init_local_bare(tmp_path / "junk")


@pytest.mark.parametrize("bad", ["/etc/passwd", "a/../b", "../up", "a//b", "a/", "./a", "", "x/.git/config"])
def test_invalid_paths_are_rejected_before_any_write(tmp_path, bad):
    target = tmp_path / "cfg.git"
    init_local_bare(target)
    with pytest.raises(ValueError) as info:
        publish_files(str(target), {"ok.txt": "fine", bad: "x"})
    assert repr(bad) in str(info.value)
    assert commit_count(target) == 0


def test_file_vs_directory_conflicts(tmp_path):
    target = tmp_path / "cfg.git"
    publish_files(str(target), {"a": "file\n", "dir/x": "x\n"}, create_local=True)
    with pytest.raises(ValueError, match="also given as a file"):
        publish_files(str(target), {"b": "1", "b/c": "2"})
    with pytest.raises(PublishError, match="'a' is a file in the remote"):
        publish_files(str(target), {"a/b": "x"})
    with pytest.raises(PublishError, match="is a directory in the remote"):
        publish_files(str(target), {"dir": "x"})
    assert commit_count(target) == 1


def test_plan_files(git_daemon):
    repo = git_daemon.create_repo("cfg")
    assert plan_files(git_daemon.url("cfg"), SEED) == (sorted(SEED), [])
    publish_files(git_daemon.url("cfg"), {"README.md": "x", "apps/dev/README.md": "y"})
    missing, existing = plan_files(git_daemon.url("cfg"), SEED)
    assert existing == ["README.md", "apps/dev/README.md"]
    assert missing == sorted(set(SEED) - set(existing))
    assert commit_count(repo) == 1


def test_redaction_helpers():
    assert redact_url("https://user:tok@git.example.com/org/r.git") == "https://***@git.example.com/org/r.git"
    assert redact_url("see ssh://git@host:22/r and http://h/x") == "see ssh://***@host:22/r and http://h/x"
    auth = GitAuth("x-access-token", "ghp_secret", "-----BEGIN KEY-----\nAAAAsecretline\n", "host ssh-ed25519 K")
    assert "ghp_secret" not in repr(auth) and "secretline" not in repr(auth)


# --- ssh:// (skipped when sshd is not installed) ------------------------------


def test_ssh_key_and_pinned_host_key(git_ssh_server, tmp_path, monkeypatch):
    repo = git_ssh_server.create_repo("cfg")
    url = git_ssh_server.url("cfg")
    auth = GitAuth(ssh_private_key=git_ssh_server.client_key, known_hosts=git_ssh_server.known_hosts)
    private_tmp = tmp_path / "tmp"  # not the shared /tmp: other test runs create key dirs there too
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    assert publish_files(url, SEED, auth=auth).commit is not None
    assert publish_files(url, SEED, auth=auth).commit is None
    assert commit_count(repo) == 1 and tree_paths(repo) == set(SEED)
    key_line = git_ssh_server.client_key.splitlines()[1]
    wrong_host = GitAuth(
        ssh_private_key=git_ssh_server.client_key,
        known_hosts=f"[127.0.0.1]:{git_ssh_server.port} "
        + git_ssh_server.known_hosts.split(" ", 1)[1].replace("ssh-ed25519", "ssh-rsa"),
    )
    no_key = GitAuth(known_hosts=git_ssh_server.known_hosts)
    for bad, said in ((wrong_host, "host key verification failed for ssh://"), (no_key, "authentication failed")):
        with pytest.raises(AuthenticationError, match=said) as info:
            publish_files(url, {"new.txt": "n"}, auth=bad)
        assert key_line not in "".join(traceback.format_exception(info.value))
    assert list(private_tmp.iterdir()) == [] and commit_count(repo) == 1  # key files removed every time
