"""Faults injected for real while seeding: dropped connections, refusals, bad credentials, wrong host keys.

Each gives one clear error (or recovers), leaves no partial commit on the remote, and is retried
only where a retry can help. Connections are counted by a TCP proxy in front of `git daemon`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import traceback
from pathlib import Path

import pytest

from platform_kit.publish import (
    AuthenticationError,
    BranchNotFoundError,
    ConnectionDroppedError,
    GitAuth,
    PushRejectedError,
    RemoteUnreachableError,
    seed_files,
)
from platform_kit.testing.faults import CuttingProxy
from platform_kit.testing.git_server import HTTP_TOKEN, HTTP_USER

GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
FILES = {f"clusters/dev/app-{n}.yaml": f"kind: ConfigMap\nname: app-{n}\n" + "x: 1\n" * 400 for n in range(20)}
VERSIONS = {"environment": "dev", "library_version": "0.1.0", "template_version": "1"}


def git(*args: str) -> str:
    proc = subprocess.run(["git", *args], env=GIT_ENV, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def state(repo: Path) -> tuple[str, str]:
    """Every ref and every object the remote holds (loose and packed), to prove nothing was left behind."""
    refs = git("--git-dir", str(repo), "for-each-ref", "--format=%(refname) %(objectname)")
    counts = dict(
        line.split(": ")
        for line in git("--git-dir", str(repo), "count-objects", "-v").splitlines()
        if line.startswith(("count", "in-pack"))
    )
    return refs, f"{counts['count']}+{counts['in-pack']}"


def install_hook(repo: Path, body: str) -> None:
    hook = repo / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755)


@pytest.fixture
def seeded(git_daemon):
    """A repo with one earlier commit, served by git daemon."""
    repo = git_daemon.create_repo("cfg")
    seed_files(git_daemon.url("cfg"), {"README.md": "# config\n"}, **VERSIONS)
    return repo, git_daemon


# --- connection dropped mid-push ---------------------------------------------------------


def test_a_push_cut_mid_pack_is_retried_and_lands_exactly_once(seeded):
    repo, daemon = seeded
    with CuttingProxy(daemon.port, cut_at="pack", cuts=1) as proxy:
        result = seed_files(proxy.url(daemon.url("cfg")), FILES, **VERSIONS)

    assert proxy.cut_log == ["pack"] and proxy.pushes == 2
    assert result.attempts == 2 and result.plan.create == tuple(sorted(FILES))
    assert git("--git-dir", str(repo), "rev-list", "--count", "main").strip() == "2"
    assert git("--git-dir", str(repo), "rev-parse", "main").strip() == result.commit
    git("--git-dir", str(repo), "fsck", "--strict")


def test_a_push_that_landed_before_the_connection_dropped_is_recognised_not_repeated(seeded):
    repo, daemon = seeded
    with CuttingProxy(daemon.port, cut_at="status", cuts=1) as proxy:
        result = seed_files(proxy.url(daemon.url("cfg")), FILES, **VERSIONS)

    assert proxy.cut_log == ["status"] and proxy.pushes == 1  # the re-fetch showed it landed: no second push
    assert git("--git-dir", str(repo), "rev-parse", "main").strip() == result.commit
    assert git("--git-dir", str(repo), "rev-list", "--count", "main").strip() == "2"
    assert result.plan.create == tuple(sorted(FILES))


def test_a_connection_that_keeps_dropping_gives_one_clear_error_and_leaves_nothing(seeded):
    repo, daemon = seeded
    before = state(repo)
    with CuttingProxy(daemon.port, cut_at="pack", cuts=None) as proxy:
        url = proxy.url(daemon.url("cfg"))
        with pytest.raises(ConnectionDroppedError) as info:
            seed_files(url, FILES, **VERSIONS)

    message = str(info.value)
    assert isinstance(info.value, RemoteUnreachableError)
    assert message.startswith(f"connection to {url} dropped during push")
    assert "(3 attempts)" in message and "branch 'main' is unchanged" in message
    assert proxy.pushes == 3 and proxy.cut_log == ["pack"] * 3  # bounded
    assert state(repo) == before  # no ref moved, not even a stray object (the server discarded the quarantine)


# --- refusals: not retried -----------------------------------------------------------------


def test_a_pre_receive_refusal_is_one_clear_error_and_is_not_retried(seeded):
    repo, daemon = seeded
    install_hook(repo, "cat >/dev/null\necho 'main is frozen for the release' >&2\nexit 1\n")
    before = state(repo)
    with CuttingProxy(daemon.port, cuts=0) as proxy:
        with pytest.raises(PushRejectedError, match="push of 'main' .* rejected: .*frozen for the release"):
            seed_files(proxy.url(daemon.url("cfg")), FILES, **VERSIONS)

    assert proxy.pushes == 1
    assert state(repo) == before


def test_a_refused_upgrade_branch_names_the_branch_and_main_keeps_its_complete_commit(seeded):
    repo, daemon = seeded
    url = daemon.url("cfg")
    seed_files(url, {"a.yaml": "a: 1\n"}, **VERSIONS)
    install_hook(
        repo,
        "while read old new ref; do case $ref in refs/heads/platform-kit/*)"
        " echo 'upgrade branches need an admin' >&2; exit 1;; esac; done\nexit 0\n",
    )
    upgrade = {"a.yaml": "a: 2\n", "b.yaml": "b: 1\n"}

    with pytest.raises(PushRejectedError, match="push of 'platform-kit/upgrade-0.2.0-dev' .*need an admin"):
        seed_files(url, upgrade, environment="dev", library_version="0.2.0", template_version="2")

    assert git("--git-dir", str(repo), "show", "main:b.yaml") == "b: 1\n"  # main's commit is whole
    assert git("--git-dir", str(repo), "show", "main:a.yaml") == "a: 1\n"
    assert "platform-kit/" not in git("--git-dir", str(repo), "for-each-ref")


def test_a_missing_repository_is_one_clear_error_after_one_connection(git_daemon):
    with CuttingProxy(git_daemon.port, cuts=0) as proxy:
        url = proxy.url(git_daemon.url("nope"))
        with pytest.raises(RemoteUnreachableError, match="remote unreachable") as info:
            seed_files(url, FILES, **VERSIONS)

    assert url in str(info.value) and proxy.connections == 1
    assert not (git_daemon.root / "nope.git").exists()


def test_a_missing_branch_lists_the_branches_after_one_connection_and_pushes_nothing(seeded):
    repo, daemon = seeded
    before = state(repo)
    with CuttingProxy(daemon.port, cuts=0) as proxy:
        with pytest.raises(BranchNotFoundError, match=r"branch 'release' not found .*branches: main"):
            seed_files(proxy.url(daemon.url("cfg")), FILES, branch="release", **VERSIONS)

    assert proxy.connections == 1 and proxy.pushes == 0
    assert state(repo) == before


def test_bad_https_credentials_are_one_request_and_never_printed(git_http_server):
    repo = git_http_server.create_repo("cfg")
    url = git_http_server.url("cfg")
    seed_files(url, {"README.md": "x\n"}, auth=GitAuth(HTTP_USER, HTTP_TOKEN), **VERSIONS)
    before, wrong = state(repo), "ghp_wrongTOKEN_do_not_print_9f8e7d"
    n = len(git_http_server.requests)

    with pytest.raises(AuthenticationError, match="authentication failed for http://") as info:
        seed_files(url, FILES, auth=GitAuth("x-access-token", wrong), **VERSIONS)

    assert wrong not in "".join(traceback.format_exception(info.value)) + repr(info.value)
    assert git_http_server.requests[n:] == [("GET", "/cfg.git/info/refs", 401)]
    assert state(repo) == before


# --- generic hosts over SSH: pinned host keys --------------------------------------------


def test_a_host_key_mismatch_fails_verification_without_secrets_and_pushes_nothing(
    git_ssh_server, tmp_path, monkeypatch
):
    repo = git_ssh_server.create_repo("cfg")
    url = git_ssh_server.url("cfg")
    good = GitAuth(ssh_private_key=git_ssh_server.client_key, known_hosts=git_ssh_server.known_hosts)
    seed_files(url, {"README.md": "x\n"}, auth=good, **VERSIONS)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "other")], check=True)
    key_type, key = (tmp_path / "other.pub").read_text().split()[:2]
    impostor = f"[127.0.0.1]:{git_ssh_server.port} {key_type} {key}\n"  # right host, another key
    before = state(repo)
    private_tmp = tmp_path / "tmp"  # where the publisher's temporary key files go (not the shared /tmp)
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))

    with pytest.raises(AuthenticationError) as info:
        seed_files(
            url, FILES, auth=GitAuth(ssh_private_key=git_ssh_server.client_key, known_hosts=impostor), **VERSIONS
        )

    message = str(info.value)
    assert message.startswith("host key verification failed for ssh://")
    assert "does not match the pinned knownHosts entry" in message and "the server presented SHA256:" in message
    text = "".join(traceback.format_exception(info.value))
    assert all(line not in text for line in git_ssh_server.client_key.splitlines()[1:-1])
    assert "WARNING" not in message and "\n" not in message  # one line, not ssh's banner
    assert state(repo) == before
    assert list(private_tmp.iterdir()) == []  # the key file did not outlive the attempt
