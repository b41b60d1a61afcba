"""The persistent object cache per network remote (platform_kit/publish/cache.py), against real servers.

A warm no-op re-seed fetches nothing; a remote changed behind the cache's back is seen (a human's
commit is never overwritten); a corrupt or unwritable cache is ignored and the seed still lands;
`PLATFORM_KIT_CACHE=off` works; no credential ever reaches the cache directory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from platform_kit.publish import GitAuth, cache, seed_files
from platform_kit.publish.transport import parse_remote
from platform_kit.testing.git_server import HTTP_TOKEN, HTTP_USER, git

VERSIONS = {"environment": "dev", "library_version": "0.1.0", "template_version": "1"}
FILES = {f"teams/team-{n:02d}/{kind}.yaml": f"kind: {kind}\nteam: {n}\n" for n in range(30) for kind in ("ns", "rbac")}


@pytest.fixture
def _private_seed_cache(tmp_path, monkeypatch):
    """This test's own cache directory (the session's is shared by every other test)."""
    root = tmp_path / "pk-cache"
    root.mkdir(mode=0o700)
    monkeypatch.setenv("PLATFORM_KIT_CACHE_DIR", str(root))
    return root


@pytest.fixture
def fetches(monkeypatch):
    """Objects received by each cache fetch, in order (counted from the packs each fetch added)."""
    seen: list[int] = []
    fetch = cache.RemoteCache.fetch

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        refs = fetch(self, *args, **kwargs)
        seen.append(self.received)
        return refs

    monkeypatch.setattr(cache.RemoteCache, "fetch", counting)
    return seen


def cache_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.name.endswith(".git") and not p.name.startswith("."))


def tree(repo: Path) -> dict[str, str]:
    names = git("--git-dir", str(repo), "ls-tree", "-r", "--name-only", "main").split()
    return {name: git("--git-dir", str(repo), "show", f"main:{name}") for name in names}


def test_warm_no_op_re_seed_fetches_no_objects(git_daemon, fetches, _private_seed_cache):
    repo = git_daemon.create_repo("cfg")
    url = git_daemon.url("cfg")

    first = seed_files(url, FILES, **VERSIONS)
    again = seed_files(url, FILES, **VERSIONS)

    assert first.commit is not None and again.commit is None and again.head == first.commit
    assert fetches == [0, 0]  # an empty remote, then everything already cached (what the first seed pushed)
    (store,) = cache_dirs(_private_seed_cache)
    assert git("--git-dir", str(store), "cat-file", "-t", first.commit).strip() == "commit"
    assert tree(repo)[".platform-kit/seed-dev.json"]
    # A cold cache (another machine) fetches the branch once, then never again.
    os.environ["PLATFORM_KIT_CACHE_DIR"] = str(_private_seed_cache / "other-machine")
    assert seed_files(url, FILES, **VERSIONS).commit is None
    assert seed_files(url, FILES, **VERSIONS).commit is None
    assert fetches[2] >= len(FILES) + 1 and fetches[3] == 0


def test_a_human_commit_behind_the_caches_back_is_seen_and_kept(git_daemon, _private_seed_cache, fetches, tmp_path):
    repo = git_daemon.create_repo("cfg")
    url = git_daemon.url("cfg")
    first = seed_files(url, FILES, **VERSIONS)
    work = tmp_path / "work"
    git("clone", "-q", url, str(work))
    (work / "teams/team-00/ns.yaml").write_text("kind: ns\nteam: 0\nedited: by a human\n")
    (work / "README.md").write_text("hello\n")
    git("-C", str(work), "add", "-A")
    git("-C", str(work), "commit", "-qm", "human edit")
    git("-C", str(work), "push", "-q", "origin", "main")
    human = git("-C", str(work), "rev-parse", "HEAD").strip()

    grown = {**FILES, "teams/team-99/ns.yaml": "kind: ns\nteam: 99\n"}
    result = seed_files(url, grown, **VERSIONS)

    # Only what is new (the human's commit, the trees on the edited paths, two blobs), not the branch.
    assert 0 < fetches[-1] <= 8 < len(FILES)
    assert result.commit is not None and result.commit != first.commit
    assert git("--git-dir", str(repo), "rev-parse", "main^").strip() == human
    files = tree(repo)
    assert files["teams/team-00/ns.yaml"].endswith("edited: by a human\n")  # never overwritten
    assert files["README.md"] == "hello\n" and files["teams/team-99/ns.yaml"] == "kind: ns\nteam: 99\n"
    assert "teams/team-00/ns.yaml" in result.plan.skipped


@pytest.mark.parametrize("damage", ["truncated packs", "garbage in objects", "garbage pack index", "not a repo"])
def test_a_corrupt_cache_is_ignored_and_the_seed_still_lands(git_daemon, _private_seed_cache, damage):
    repo = git_daemon.create_repo("cfg")
    url = git_daemon.url("cfg")
    seed_files(url, FILES, **VERSIONS)
    (store,) = cache_dirs(_private_seed_cache)
    packs = store / "objects" / "pack"
    if damage == "truncated packs":
        for pack in packs.glob("*.pack"):
            pack.write_bytes(pack.read_bytes()[: pack.stat().st_size // 3])
    elif damage == "garbage in objects":
        for pack in packs.glob("*.pack"):
            pack.write_bytes(b"\0garbage" * 100)
        (store / "objects" / "ab").mkdir()
        (store / "objects" / "ab" / ("c" * 38)).write_bytes(b"not zlib")
    elif damage == "garbage pack index":
        for index in packs.glob("*.idx"):
            index.write_bytes(b"garbage")
    else:
        (store / "HEAD").unlink()

    grown = {**FILES, "teams/team-99/ns.yaml": "kind: ns\nteam: 99\n"}
    result = seed_files(url, grown, **VERSIONS)
    again = seed_files(url, grown, **VERSIONS)

    assert result.commit is not None and again.commit is None
    assert tree(repo) == {**grown, ".platform-kit/seed-dev.json": tree(repo)[".platform-kit/seed-dev.json"]}
    assert git("--git-dir", str(repo), "rev-list", "--count", "main").strip() == "2"
    git("--git-dir", str(repo), "fsck", "--strict")


def test_an_unusable_cache_location_is_ignored(git_daemon, _private_seed_cache, tmp_path, fetches, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache should be\n")
    monkeypatch.setenv("PLATFORM_KIT_CACHE_DIR", str(blocker / "platform-kit"))
    url = git_daemon.create_repo("cfg") and git_daemon.url("cfg")
    assert seed_files(url, FILES, **VERSIONS).commit is not None
    assert seed_files(url, FILES, **VERSIONS).commit is None
    assert fetches == [] and blocker.read_text() == "a file where the cache should be\n"


def test_a_cache_others_can_write_is_not_trusted(git_daemon, _private_seed_cache, fetches):
    url = git_daemon.create_repo("cfg") and git_daemon.url("cfg")
    _private_seed_cache.chmod(0o777)
    assert seed_files(url, FILES, **VERSIONS).commit is not None
    assert fetches == [] and cache_dirs(_private_seed_cache) == []


def test_cache_off(git_daemon, _private_seed_cache, fetches, monkeypatch):
    monkeypatch.setenv("PLATFORM_KIT_CACHE", "off")
    url = git_daemon.create_repo("cfg") and git_daemon.url("cfg")
    assert seed_files(url, FILES, **VERSIONS).commit is not None
    assert seed_files(url, FILES, **VERSIONS).commit is None
    assert fetches == [] and list(_private_seed_cache.iterdir()) == []


def test_cache_location(monkeypatch, tmp_path):
    env = {"HOME": str(tmp_path / "home")}
    assert cache.cache_root(env) == tmp_path / "home" / ".cache" / "platform-kit"
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    assert cache.cache_root(env) == tmp_path / "xdg" / "platform-kit"
    env["PLATFORM_KIT_CACHE_DIR"] = str(tmp_path / "pk")
    assert cache.cache_root(env) == tmp_path / "pk"
    assert cache.cache_root({**env, "PLATFORM_KIT_CACHE": "off"}) is None
    # One cache per repository, whoever logs in: the key has no user, password or token in it.
    keys = {
        cache.cache_key(parse_remote(url, None))
        for url in (
            "https://git.example.com/acme/cfg.git",
            "https://x-access-token:ghp_secret@git.example.com/acme/cfg.git",
            "https://someone@GIT.example.com/acme/cfg.git",
        )
    }
    assert len(keys) == 1 and "example" not in keys.pop()
    assert cache.cache_key(parse_remote("https://git.example.com/acme/other.git", None)) not in keys


def test_no_credential_reaches_the_cache(git_http_server, _private_seed_cache, fetches):
    repo = git_http_server.create_repo("cfg")
    url = git_http_server.url("cfg")
    auth = GitAuth(HTTP_USER, HTTP_TOKEN)
    first = seed_files(url, FILES, auth=auth, **VERSIONS)
    again = seed_files(url.replace("http://", f"http://{HTTP_USER}:{HTTP_TOKEN}@"), FILES, **VERSIONS)

    assert first.commit is not None and again.commit is None and fetches == [0, 0]
    assert tree(repo)[".platform-kit/seed-dev.json"]
    (store,) = cache_dirs(_private_seed_cache)
    assert stat.S_IMODE(_private_seed_cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.stat().st_mode) == 0o700
    secrets = [HTTP_TOKEN.encode(), url.encode(), f"{git_http_server.port}".encode() + b"/cfg"]
    for path in _private_seed_cache.rglob("*"):
        assert not any(secret in path.name.encode() for secret in secrets), path
        if path.is_file():
            data = path.read_bytes()
            assert not any(secret in data for secret in secrets), path
