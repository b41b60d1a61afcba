"""The Pulumi seed resource: its dynamic provider against a real git daemon, and its registration."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from platform_kit.gitops.seed import (
    SEED_COMMIT_TYPE,
    SEED_MESSAGE,
    ConfigRepoSeed,
    ConfigRepoSeedArgs,
    PullRequestTarget,
    SeedProvider,
    seeded_files,
)
from platform_kit.gitops.seed_state import pack_files
from platform_kit.offline.engine import SECRET_MARKER
from platform_kit.publish import GitAuth
from platform_kit.testing.git_server import HTTP_TOKEN, HTTP_USER, git

SHA_RE = re.compile(r"^[0-9a-f]{40}$")
RECORD = ".platform-kit/seed-dev.json"
FILES = {
    "README.md": "# config repo\n",
    "clusters/dev/kustomization.yaml": "kind: Kustomization\nresources:\n- apps.yaml\n",
    "clusters/dev/apps.yaml": "kind: Kustomization\nmetadata:\n  name: apps\n",
    "apps/dev/kustomization.yaml": "resources: []\n",
}


def log(bare: Path, branch: str = "main") -> list[str]:
    return git("--git-dir", str(bare), "log", "--format=%H", branch).split()


def paths(bare: Path, rev: str = "main") -> list[str]:
    return sorted(git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", rev).split())


def show(bare: Path, path: str, rev: str = "main") -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(bare), "show", f"{rev}:{path}"], capture_output=True, check=True
    ).stdout


def props(
    url: str, files: dict[str, str] | None = None, *, branch: str = "main", auth: dict[str, str] | None = None
) -> dict[str, Any]:
    """Inputs shaped like the ones ConfigRepoSeed hands its SeedCommit."""
    return {
        "url": url,
        "branch": branch,
        **pack_files(FILES if files is None else files),
        "message": SEED_MESSAGE.format(environment="dev"),
        "environment": "dev",
        "versions": {"library": "0.1.0", "templates": "1"},
        "pullRequests": None,
        "auth": auth,
    }


@pytest.fixture
def remote(git_daemon) -> tuple[Path, str]:
    return git_daemon.create_repo("config"), git_daemon.url("config")


def human_edit(url: str, workdir: Path, path: str, content: bytes) -> str:
    git("clone", "-q", url, str(workdir))
    (workdir / path).write_bytes(content)
    git("commit", "-q", "-am", "human edit", cwd=workdir)
    git("push", "-q", "origin", "main", cwd=workdir)
    return git("rev-parse", "HEAD", cwd=workdir).strip()


def test_create_makes_one_commit_and_returns_outs(remote):
    bare, url = remote

    result = SeedProvider().create(props(url))

    commits = log(bare)
    assert len(commits) == 1
    outs = result.outs
    assert SHA_RE.match(outs["commit"])
    assert outs["commit"] == outs["head"] == commits[0]
    assert outs["created"] == len(FILES) and outs["unchanged"] == 0
    assert outs["url"] == url and outs["branch"] == "main"
    assert set(outs) == {"url", "branch", "fingerprint", "commit", "head", "created", "proposed", "skipped"} | {
        "unchanged",
        "upgradeBranch",
        "pullRequest",
    }  # nothing of the inputs echoed: no files, no archive, no auth
    assert result.id == f"{url}#main"
    assert paths(bare) == sorted([*FILES, RECORD])
    assert show(bare, "clusters/dev/apps.yaml") == FILES["clusters/dev/apps.yaml"].encode()
    assert git("--git-dir", str(bare), "log", "-1", "--format=%s", "main").strip() == "platform-kit: seed dev"


def test_create_over_http_with_auth(git_http_server):
    bare, url = git_http_server.create_repo("config"), git_http_server.url("config")

    outs = SeedProvider().create(props(url, auth={"username": HTTP_USER, "token": HTTP_TOKEN})).outs

    assert log(bare) == [outs["commit"]]
    assert paths(bare) == sorted([*FILES, RECORD])


def test_update_publishes_only_new_files_and_keeps_human_edits(remote, tmp_path):
    bare, url = remote
    provider = SeedProvider()
    created = provider.create(props(url))
    human = b"# mine now\nkind: Kustomization\nmetadata:\n  name: apps\n  labels: {team: a}\n"
    human_head = human_edit(url, tmp_path / "clone", "clusters/dev/apps.yaml", human)
    extra = {**FILES, "apps/dev/extra.yaml": "kind: ConfigMap\n"}

    result = provider.update(created.id, created.outs, props(url, extra))

    commits = log(bare)
    assert len(commits) == 3
    assert commits[1] == human_head
    outs = result.outs
    assert outs["commit"] == outs["head"] == commits[0]
    assert outs["created"] == 1
    changed = git("--git-dir", str(bare), "diff-tree", "--no-commit-id", "--name-only", "-r", "main").split()
    assert changed == [RECORD, "apps/dev/extra.yaml"]  # the new file, recorded
    assert (outs["skipped"], outs["proposed"], outs["unchanged"]) == (1, 0, len(FILES) - 1)
    assert show(bare, "clusters/dev/apps.yaml") == human
    assert show(bare, "apps/dev/extra.yaml") == b"kind: ConfigMap\n"


def test_update_with_nothing_new_makes_no_commit(remote):
    bare, url = remote
    provider = SeedProvider()
    created = provider.create(props(url))

    outs = provider.update(created.id, created.outs, props(url)).outs

    assert outs["commit"] == ""
    assert outs["head"] == created.outs["commit"]
    assert outs["created"] == 0
    assert log(bare) == [created.outs["commit"]]


def test_diff_replaces_on_url_or_branch_and_is_quiet_for_identical_props(remote):
    _, url = remote
    provider = SeedProvider()
    olds = provider.create(props(url)).outs  # the engine diffs the stored outputs against new inputs

    same = provider.diff("id", olds, props(url))
    assert same.changes is False
    assert not same.replaces

    moved = provider.diff("id", olds, props("git://127.0.0.1:1/elsewhere.git"))
    assert moved.changes is True
    assert moved.replaces == ["url"]

    other_branch = provider.diff("id", olds, props(url, branch="prod"))
    assert other_branch.changes is True
    assert other_branch.replaces == ["branch"]

    more_files = provider.diff("id", olds, props(url, {**FILES, "new.yaml": "x: 1\n"}))
    assert more_files.changes is True
    assert not more_files.replaces

    new_version = provider.diff("id", olds, props(url) | {"versions": {"library": "0.2.0", "templates": "2"}})
    assert new_version.changes is True
    assert not new_version.replaces

    # A rotated token needs no git operation; the next create or update uses the current one.
    new_auth = provider.diff("id", olds, props(url, auth={"username": "git", "token": "rotated"}))
    assert new_auth.changes is False


def test_delete_leaves_every_commit_and_file(remote, tmp_path):
    bare, url = remote
    provider = SeedProvider()
    created = provider.create(props(url))
    human_head = human_edit(url, tmp_path / "clone", "README.md", b"# ours\n")
    before = {path: show(bare, path) for path in paths(bare)}

    assert provider.delete(created.id, created.outs) is None

    assert log(bare) == [human_head, created.outs["commit"]]
    assert {path: show(bare, path) for path in paths(bare)} == before
    assert before["README.md"] == b"# ours\n"


def test_config_repo_seed_registers_seed_commit_with_secret_auth(pulumi_recorder):
    seed = ConfigRepoSeed(
        "s",
        ConfigRepoSeedArgs(
            url="git://127.0.0.1:1/config.git",
            branch="main",
            files=FILES,
            environment="dev",
            auth=GitAuth(username="git", token="tok-123"),
        ),
    )

    component = pulumi_recorder.get("platform-kit:gitops:ConfigRepoSeed", "s")
    registration = pulumi_recorder.get(SEED_COMMIT_TYPE, "s-commit")
    assert registration.parent == component.urn
    assert registration.is_secret("auth")
    assert registration.masked_inputs["auth"] == SECRET_MARKER
    assert registration.inputs["auth"] == {"username": "git", "token": "tok-123"}
    assert "tok-123" not in json.dumps(registration.masked_inputs)
    assert not registration.is_secret("files") and not registration.is_secret("archive")
    assert seeded_files(registration.inputs) == FILES
    assert registration.inputs["message"] == "platform-kit: seed dev"
    assert (registration.inputs["url"], registration.inputs["branch"]) == ("git://127.0.0.1:1/config.git", "main")
    assert seed.resource is not None


def test_config_repo_seed_without_auth_has_no_secret(pulumi_recorder):
    ConfigRepoSeed("open", ConfigRepoSeedArgs(url="/tmp/x.git", branch="main", files=FILES, environment="dev"))

    registration = pulumi_recorder.get(SEED_COMMIT_TYPE, "open-commit")
    assert not registration.is_secret("auth")
    assert registration.inputs.get("auth") is None


def test_update_with_a_changed_rendering_proposes_it_and_opens_a_pull_request(remote, fake_github_api):
    """Same library and template versions, other content: a config change, on its own config branch."""
    bare, url = remote
    provider = SeedProvider()
    target = {"owner": "acme", "repo": "platform-config", "apiUrl": fake_github_api.url}
    auth = {"token": "ghp_seed_token_for_fake_api"}
    created = provider.create(props(url, auth=auth) | {"pullRequests": target})
    changed = {**FILES, "clusters/dev/apps.yaml": "kind: Kustomization\nmetadata:\n  name: apps\n  labels: {v: 2}\n"}

    outs = provider.update(created.id, created.outs, props(url, changed, auth=auth) | {"pullRequests": target}).outs

    assert outs["commit"] == "" and outs["proposed"] == 1 and outs["skipped"] == 0
    assert re.fullmatch(r"platform-kit/config-dev-[0-9a-f]{12}", outs["upgradeBranch"]), outs["upgradeBranch"]
    assert outs["pullRequest"] == "https://github.example/acme/platform-config/pull/1"
    (request,) = fake_github_api.requests
    assert request.headers["authorization"] == "Bearer ghp_seed_token_for_fake_api"
    assert request.body["head"] == outs["upgradeBranch"] and request.body["base"] == "main"
    assert request.body["title"] == "platform-kit: config change for dev"
    assert show(bare, "clusters/dev/apps.yaml") == FILES["clusters/dev/apps.yaml"].encode()  # main untouched
    assert show(bare, "clusters/dev/apps.yaml", outs["upgradeBranch"]) == changed["clusters/dev/apps.yaml"].encode()


def test_config_repo_seed_records_its_pull_request_target_and_waits_for_the_repository(pulumi_recorder):
    import pulumi_random as random

    stand_in = random.RandomPassword("repository-stand-in", length=8)  # any resource the commit must wait for
    ConfigRepoSeed(
        "gh",
        ConfigRepoSeedArgs(
            url="https://github.com/acme/platform-config.git",
            branch="main",
            files=FILES,
            environment="dev",
            auth=GitAuth(username="x-access-token", token="ghp-secret-1"),
            pull_requests=PullRequestTarget("acme", "platform-config", "https://api.github.com"),
            after=[stand_in],
        ),
    )

    registration = pulumi_recorder.get(SEED_COMMIT_TYPE, "gh-commit")
    assert registration.inputs["pullRequests"] == {
        "owner": "acme",
        "repo": "platform-config",
        "apiUrl": "https://api.github.com",
    }
    assert registration.inputs["environment"] == "dev"
    assert registration.inputs["versions"] == {"library": "0.1.0", "templates": "1"}
    assert pulumi_recorder.get(name="repository-stand-in").urn in registration.dependencies
    assert "ghp-secret-1" not in json.dumps(registration.masked_inputs)
