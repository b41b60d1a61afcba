"""The seed resource through Pulumi's own dynamic-provider host (`python -m pulumi.dynamic`), as the engine drives it.

One host process per module, real git servers on 127.0.0.1, properties as the SDK registers
them (the `__provider` string is what `pulumi.dynamic.Resource.__init__` serialised) with
secrets unwrapped because the host answers Configure with `acceptSecrets=False`.
"""

from __future__ import annotations

import builtins
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from platform_kit.gitops.seed import SEED_COMMIT_TYPE, ConfigRepoSeed, ConfigRepoSeedArgs, SeedProvider
from platform_kit.publish import GitAuth, content_hash
from platform_kit.testing.dynamic_host import HostError, ProviderHost, provider_string, secret
from platform_kit.testing.git_server import HTTP_TOKEN, HTTP_USER, GitDaemon, HttpGitServer, git

URN = f"urn:pulumi:dev::platform-kit::platform-kit:gitops:ConfigRepoSeed${SEED_COMMIT_TYPE}::seed-commit"
RECORD = ".platform-kit/seed-dev.json"
FILES = {
    "README.md": "# config repo\n",
    "clusters/dev/kustomization.yaml": "kind: Kustomization\nresources:\n- apps.yaml\n",
    "clusters/dev/apps.yaml": "kind: Kustomization\nmetadata:\n  name: apps\n",
}
PROVIDER_OF_EARLIER_RELEASES = "gASVMQAAAAAAAACMGHBsYXRmb3JtX2tpdC5naXRvcHMuc2VlZJSMDV9TZWVkUHJvdmlkZXKUk5QpgZQu"
"""`__provider` as the release before the small state format pickled it (commit 8aaf08f)."""


@pytest.fixture(scope="module")
def host() -> Iterator[ProviderHost]:
    with ProviderHost() as started:
        assert started.configure().acceptSecrets is False
        yield started


@pytest.fixture(scope="module")
def http_server() -> Iterator[HttpGitServer]:
    with HttpGitServer() as server:
        yield server


@pytest.fixture(scope="module")
def daemon() -> Iterator[GitDaemon]:
    with GitDaemon() as started:
        yield started


def registered_inputs(recorder: Any, url: str, files: dict[str, str], auth: GitAuth | None = None) -> dict[str, Any]:
    """What ConfigRepoSeed registers for its SeedCommit, secrets marked as the engine holds them."""
    name = f"seed-{len(recorder.registrations)}"
    ConfigRepoSeed(name, ConfigRepoSeedArgs(url=url, branch="main", files=files, environment="dev", auth=auth))
    registration = recorder.get(SEED_COMMIT_TYPE, f"{name}-commit")
    return {key: secret(value) if registration.is_secret(key) else value for key, value in registration.inputs.items()}


def paths(bare: Path, rev: str = "main") -> list[str]:
    return sorted(git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", rev).split())


def commits(bare: Path) -> list[str]:
    return git("--git-dir", str(bare), "log", "--format=%H", "main").split()


def token_free_except_check_inputs(host: ProviderHost, start: int) -> None:
    """The token is in no response since `start`, but where Check must return the inputs it was given (`auth`)."""
    for method, text in host.responses[start:]:
        if method == "Check":
            text = re.sub(r'"auth": \{[^{}]*\}', '"auth": {}', text)
        assert HTTP_TOKEN not in text, f"{method} response carries the token"
    assert HTTP_TOKEN not in host.output()


def test_the_sdk_serialises_the_provider_by_reference_as_earlier_releases_did(pulumi_recorder):
    inputs = registered_inputs(pulumi_recorder, "git://127.0.0.1:1/x.git", FILES)

    assert inputs["__provider"]["value"] == provider_string(SeedProvider()) == PROVIDER_OF_EARLIER_RELEASES


def test_create_noop_additive_update_and_delete_through_the_host(host, http_server, pulumi_recorder, tmp_path):
    bare, url = http_server.create_repo("flow"), http_server.url("flow")
    auth = GitAuth(username=HTTP_USER, token=HTTP_TOKEN)
    inputs = registered_inputs(pulumi_recorder, url, FILES, auth)
    start = len(host.responses)

    checked, failures = host.check(URN, {}, inputs)
    assert failures == [] and checked["files"] == inputs["files"]
    id_, outs = host.create(URN, checked)

    (created,) = commits(bare)
    assert outs["commit"] == outs["head"] == created and outs["created"] == len(FILES)
    assert paths(bare) == sorted([*FILES, RECORD])
    assert "auth" not in outs and "files" not in outs and "archive" not in outs

    same = host.diff(id_, URN, outs, checked, checked)
    assert (same.changes, same.replaces) == ("DIFF_NONE", ())

    clone = tmp_path / "clone"
    git("clone", "-q", http_server.url("flow").replace("://", f"://{HTTP_USER}:{HTTP_TOKEN}@"), str(clone))
    (clone / "README.md").write_text("# ours now\n")
    git("commit", "-qam", "human edit", cwd=clone)
    git("push", "-q", "origin", "main", cwd=clone)
    more = registered_inputs(pulumi_recorder, url, {**FILES, "README.md": "# v2\n", "apps/new.yaml": "a: 1\n"}, auth)
    checked_more, _ = host.check(URN, checked, more)
    changed = host.diff(id_, URN, outs, checked_more, checked)
    assert (changed.changes, changed.replaces) == ("DIFF_SOME", ())
    updated = host.update(id_, URN, outs, checked_more, checked)

    assert len(commits(bare)) == 3 and updated["commit"] == commits(bare)[0]
    assert (updated["created"], updated["skipped"]) == (1, 1)
    added = git("--git-dir", str(bare), "diff-tree", "--no-commit-id", "--name-only", "-r", "main").split()
    assert added == [RECORD, "apps/new.yaml"]
    assert git("--git-dir", str(bare), "show", "main:README.md") == "# ours now\n"

    before = {path: git("--git-dir", str(bare), "show", f"main:{path}") for path in paths(bare)}
    host.delete(id_, URN, updated, checked_more)
    assert {path: git("--git-dir", str(bare), "show", f"main:{path}") for path in paths(bare)} == before
    token_free_except_check_inputs(host, start)
    assert HTTP_TOKEN not in "".join(before.values())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def failure(host: ProviderHost, inputs: dict[str, Any]) -> str:
    with pytest.raises(HostError) as info:
        host.create(URN, inputs)
    return info.value.details


def assert_plain(details: str, kind: type[Exception], message: str) -> None:
    """At most 10 lines, ending in one builtin exception (no module path) with `message`, no library dump."""
    lines = details.rstrip("\n").splitlines()
    assert len(lines) <= 10, details
    name, _, text = lines[-1].partition(": ")
    assert getattr(builtins, name, None) is kind, lines[-1]
    assert text == message, lines[-1]
    for dump in ("platform_kit.publish", "HTTPConnectionPool", "Max retries", "Errno", "dulwich", "urllib3"):
        assert dump not in lines[-1]
    assert HTTP_TOKEN not in details


@pytest.mark.parametrize("scheme", ["http", "git"])
def test_a_refused_connection_is_one_plain_line(host, pulumi_recorder, scheme):
    url = f"{scheme}://127.0.0.1:{free_port()}/config.git"
    details = failure(host, registered_inputs(pulumi_recorder, url, FILES, GitAuth(HTTP_USER, HTTP_TOKEN)))

    assert_plain(details, ConnectionError, f"remote unreachable: {url}: connection refused")


def test_refused_credentials_are_one_plain_line_without_the_token(host, http_server, pulumi_recorder):
    http_server.create_repo("auth")
    url = http_server.url("auth")
    wrong = GitAuth(HTTP_USER, "ghp_wrong_token_never_printed")
    details = failure(host, registered_inputs(pulumi_recorder, url, FILES, wrong))

    assert_plain(details, PermissionError, f"authentication failed for {url}")
    assert "ghp_wrong_token_never_printed" not in details + host.output()


def test_a_missing_branch_is_one_plain_line(host, daemon, pulumi_recorder):
    daemon.create_repo("branches")
    url = daemon.url("branches")
    host.create(URN, registered_inputs(pulumi_recorder, url, FILES))  # main now exists
    inputs = registered_inputs(pulumi_recorder, url, FILES) | {"branch": "release"}

    assert_plain(failure(host, inputs), LookupError, f"branch 'release' not found in {url}; branches: main")


def test_a_bad_url_is_one_plain_line(host, daemon, pulumi_recorder):
    missing = daemon.url("no-such-repo")
    details = failure(host, registered_inputs(pulumi_recorder, missing, FILES))
    said = "access denied or repository not exported: /no-such-repo.git"  # git daemon's own words
    assert_plain(details, ConnectionError, f"remote unreachable: {missing}: {said}")

    ftp = "ftp://127.0.0.1/config.git"
    assert_plain(
        failure(host, registered_inputs(pulumi_recorder, ftp, FILES)),
        ValueError,
        f"unsupported URL scheme 'ftp' in {ftp}",
    )


def test_a_state_written_by_earlier_releases_refreshes_diffs_and_deletes(host, http_server, pulumi_recorder):
    bare, url = http_server.create_repo("old-state"), http_server.url("old-state")
    auth = GitAuth(HTTP_USER, HTTP_TOKEN)
    new_inputs = registered_inputs(pulumi_recorder, url, FILES, auth)
    _, outs = host.create(URN, new_inputs)  # the remote as an earlier release left it: one seed commit
    old_inputs = {
        "url": url,
        "branch": "main",
        "files": dict(FILES),
        "message": "platform-kit: seed dev",
        "environment": "dev",
        "versions": new_inputs["versions"],
        "auth": secret({"username": HTTP_USER, "token": HTTP_TOKEN}),
        "__provider": secret(PROVIDER_OF_EARLIER_RELEASES),
    }
    old_outputs = old_inputs | {
        "commit": outs["commit"],
        "head": outs["commit"],
        "created": sorted(FILES),
        "proposed": [],
        "skipped": [],
        "upgradeBranch": "",
        "pullRequest": "",
    }
    id_, start = f"{url}#main", len(host.responses)

    read_id, refreshed = host.read(id_, URN, old_outputs, old_inputs)
    assert read_id == id_ and refreshed["commit"] == outs["commit"] and refreshed["created"] == len(FILES)
    assert refreshed["fingerprint"] == outs["fingerprint"]  # the same files and inputs, the same fingerprint
    assert "files" not in refreshed and "auth" not in refreshed

    stale = host.diff(id_, URN, old_outputs, new_inputs, old_inputs)
    assert (stale.changes, stale.replaces) == ("DIFF_SOME", ())  # an update rewrites the state small, no replace
    assert host.diff(id_, URN, refreshed, new_inputs, old_inputs).changes == "DIFF_NONE"
    rewritten = host.update(id_, URN, old_outputs, new_inputs, old_inputs)
    assert rewritten["commit"] == "" and rewritten["head"] == outs["commit"]  # nothing pushed
    assert len(commits(bare)) == 1

    host.delete(id_, URN, old_outputs, old_inputs)
    assert commits(bare) == [outs["commit"]] and paths(bare) == sorted([*FILES, RECORD])
    token_free_except_check_inputs(host, start)


def test_the_digest_map_uses_the_seed_records_hashes(pulumi_recorder):
    inputs = registered_inputs(pulumi_recorder, "git://127.0.0.1:1/x.git", FILES)

    assert inputs["files"] == {path: content_hash(text.encode()) for path, text in FILES.items()}
