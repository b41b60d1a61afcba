"""A re-seed compares paths and blob ids without downloading blobs (platform_kit/publish/partial.py).

Against real servers: git daemon and smart HTTP (git http-backend), with `uploadpack.allowFilter` on
(the fast path: commits and trees only) and off (the fallback: whole objects, then the object cache).
What crossed the wire is counted on both ends: the server's own count of the objects it packed
(git's trace2 `pack-objects write_pack_file/wrote`), the objects the client received, and the pack the
server kept from a push (`receive.unpackLimit=1`: kept as received, not unpacked).
"""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from dulwich.errors import GitProtocolError
from dulwich.object_format import DEFAULT_OBJECT_FORMAT
from dulwich.pack import OFS_DELTA, REF_DELTA, PackData

from platform_kit.publish import GitAuth, partial, seed_files
from platform_kit.publish.tree import blob_id
from platform_kit.testing.git_server import HTTP_TOKEN, HTTP_USER, GitDaemon, git

VERSIONS = {"environment": "dev", "library_version": "0.1.0", "template_version": "1"}
FILES = {f"teams/team-{n:02d}/{kind}.yaml": f"kind: {kind}\nteam: {n}\n" for n in range(30) for kind in ("ns", "rbac")}
RECORD = ".platform-kit/seed-dev.json"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """This test's own object cache (empty); `fresh()` switches to another empty one (a cold cache)."""
    root = tmp_path / "pk-cache"
    root.mkdir(mode=0o700)
    monkeypatch.setenv("PLATFORM_KIT_CACHE_DIR", str(root / "0"))

    class Caches:
        count = 0

        def fresh(self) -> Path:
            self.count += 1
            monkeypatch.setenv("PLATFORM_KIT_CACHE_DIR", str(root / str(self.count)))
            return root / str(self.count)

        @property
        def current(self) -> Path:
            return root / str(self.count)

    return Caches()


@pytest.fixture
def traced_daemon(tmp_path, monkeypatch):
    """git daemon whose git processes (upload-pack, pack-objects) write trace2 events to `.trace`."""
    trace = tmp_path / "trace2.json"
    with monkeypatch.context() as env:
        env.setenv("GIT_TRACE2_EVENT", str(trace))
        daemon = GitDaemon(tmp_path / "daemon").start()  # the daemon and its children inherit it
    daemon.trace = trace  # type: ignore[attr-defined]
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture
def received(monkeypatch):
    """Type counts of the objects each fetch without `have`s received and kept (`partial.receive`), in order."""
    seen: list[Counter] = []
    receive = partial.receive

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        got = receive(*args, **kwargs)
        seen.append(Counter(obj.type_name.decode() for obj in got.objects.values()))
        return got

    monkeypatch.setattr(partial, "receive", counting)
    for module in ("branch", "cache"):
        monkeypatch.setattr(f"platform_kit.publish.{module}.receive", counting)
    return seen


def server_sent(trace: Path) -> list[int]:
    """Objects the server's pack-objects wrote, per fetch, since the trace was last read (then emptied)."""
    seen, deadline = -1, time.monotonic() + 5
    while trace.exists() and trace.stat().st_size != seen and time.monotonic() < deadline:
        seen = trace.stat().st_size  # let the server's processes finish writing their events
        time.sleep(0.1)
    counts = []
    if trace.exists():
        for line in trace.read_text().splitlines():
            event = json.loads(line)
            if event.get("category") == "pack-objects" and event.get("key") == "write_pack_file/wrote":
                counts.append(int(event["value"]))
        trace.write_text("")
    return counts


def allow_filter(repo: Path, on: bool = True) -> None:
    git("--git-dir", str(repo), "config", "uploadpack.allowFilter", "true" if on else "false")


def object_types(git_dir: Path) -> Counter:
    """Types of every object in a repository (packed or loose), read by git itself."""
    out = git("--git-dir", str(git_dir), "cat-file", "--batch-all-objects", "--batch-check=%(objecttype)")
    return Counter(out.split())


def cache_repo(root: Path) -> Path:
    (repo,) = [p for p in root.iterdir() if p.name.endswith(".git") and not p.name.startswith(".")]
    return repo


def trees_of(git_dir: Path, commit: str) -> set[str]:
    out = git("--git-dir", str(git_dir), "ls-tree", "-r", "-t", commit)
    return {line.split()[2] for line in out.splitlines() if line.split()[1] == "tree"} | {
        git("--git-dir", str(git_dir), "rev-parse", f"{commit}^{{tree}}").strip()
    }


def objects_of(git_dir: Path, commit: str) -> set[str]:
    """Every object of `commit`'s snapshot: the commit, its trees and its blobs."""
    out = git("--git-dir", str(git_dir), "ls-tree", "-r", "-t", commit)
    sha = git("--git-dir", str(git_dir), "rev-parse", commit).strip()
    return {line.split()[2] for line in out.splitlines()} | trees_of(git_dir, commit) | {sha}


def test_a_cold_no_op_re_seed_over_git_daemon_receives_no_blob(traced_daemon, cache_dir, received):
    repo = traced_daemon.create_repo("cfg")
    allow_filter(repo)
    url = traced_daemon.url("cfg")
    first = seed_files(url, FILES, **VERSIONS)
    head_objects = object_types(repo)  # exactly the first commit's objects
    server_sent(traced_daemon.trace)
    received.clear()

    cold = cache_dir.fresh()
    again = seed_files(url, FILES, **VERSIONS)

    assert first.commit is not None and again.commit is None and again.plan.is_noop
    # The server packed the commit and its trees, nothing else; the client received and kept just those.
    assert server_sent(traced_daemon.trace) == [head_objects["commit"] + head_objects["tree"]]
    assert received == [Counter(commit=1, tree=head_objects["tree"])]
    assert object_types(cache_repo(cold)) == Counter(commit=1, tree=head_objects["tree"])
    assert head_objects["blob"] > len(FILES) // 2  # (what a whole fetch would have brought on top)

    # Warm (the cache from the cold run): nothing is fetched at all.
    assert seed_files(url, FILES, **VERSIONS).commit is None
    assert server_sent(traced_daemon.trace) == [] and len(received) == 1


def test_cache_off_no_op_over_smart_http_receives_no_blob(git_http_server, monkeypatch, received):
    monkeypatch.setenv("PLATFORM_KIT_CACHE", "off")
    repo = git_http_server.create_repo("cfg")
    allow_filter(repo)
    url, auth = git_http_server.url("cfg"), GitAuth(HTTP_USER, HTTP_TOKEN)
    assert seed_files(url, FILES, auth=auth, **VERSIONS).commit is not None

    again = seed_files(url, FILES, auth=auth, **VERSIONS)

    trees = object_types(repo)["tree"]
    assert again.commit is None and received[-1] == Counter(commit=1, tree=trees)


def test_cache_off_no_op_over_ssh_receives_no_blob(git_ssh_server, monkeypatch, received):
    monkeypatch.setenv("PLATFORM_KIT_CACHE", "off")
    repo = git_ssh_server.create_repo("cfg")
    allow_filter(repo)
    url = git_ssh_server.url("cfg")
    auth = GitAuth(ssh_private_key=git_ssh_server.client_key, known_hosts=git_ssh_server.known_hosts)
    assert seed_files(url, FILES, auth=auth, **VERSIONS).commit is not None

    again = seed_files(url, FILES, auth=auth, **VERSIONS)

    trees = object_types(repo)["tree"]
    assert again.commit is None and received[-1] == Counter(commit=1, tree=trees)


def test_without_the_filter_the_server_sends_blobs_once_and_the_warm_cache_nothing(
    traced_daemon, cache_dir, received, caplog
):
    repo = traced_daemon.create_repo("cfg")
    allow_filter(repo, on=False)
    url = traced_daemon.url("cfg")
    seed_files(url, FILES, **VERSIONS)
    head_objects = object_types(repo)
    server_sent(traced_daemon.trace)
    received.clear()

    cold = cache_dir.fresh()
    with caplog.at_level(logging.WARNING):
        assert seed_files(url, FILES, **VERSIONS).commit is None

    # The fallback: the server sends the whole head once (as to a depth-1 clone); the blobs are dropped
    # unread on arrival, and the commit and trees kept in the cache, which fetches nothing after that.
    assert server_sent(traced_daemon.trace) == [sum(head_objects.values())]
    trees_only = Counter(commit=1, tree=head_objects["tree"])
    assert received == [trees_only] and object_types(cache_repo(cold)) == trees_only
    assert not [r for r in caplog.records if "filter" in r.getMessage()]  # expected, so not a warning
    assert seed_files(url, FILES, **VERSIONS).commit is None
    assert server_sent(traced_daemon.trace) == []


@pytest.mark.parametrize("cache_state", ["cold", "warm"])
@pytest.mark.parametrize("server_filter", [True, False], ids=["filter", "no-filter"])
def test_a_human_edit_costs_one_blob_and_is_kept(
    traced_daemon, cache_dir, tmp_path, monkeypatch, cache_state, server_filter
):
    repo = traced_daemon.create_repo("cfg")
    allow_filter(repo, server_filter)
    url = traced_daemon.url("cfg")
    seed_files(url, FILES, **VERSIONS)
    work = tmp_path / "work"
    git("clone", "-q", url, str(work))
    (work / "teams/team-07/ns.yaml").write_text("kind: ns\nteam: 7\nedited: by a human\n")
    git("-C", str(work), "commit", "-qam", "human edit")
    git("-C", str(work), "push", "-q", "origin", "main")
    edited = git("--git-dir", str(repo), "rev-parse", "main:teams/team-07/ns.yaml").strip().encode()
    asked: list[list[bytes]] = []
    fetch_blobs = partial.fetch_blobs

    def spy(client, remote, shas, heads):  # type: ignore[no-untyped-def]
        asked.append(list(shas))
        return fetch_blobs(client, remote, shas, heads)

    monkeypatch.setattr("platform_kit.publish.branch.fetch_blobs", spy)
    if cache_state == "cold":
        cache_dir.fresh()
    server_sent(traced_daemon.trace)

    result = seed_files(url, FILES, **VERSIONS)

    # Cold: the human's commit and every tree (no filter: and every blob, dropped unread), then the edited
    # file's blob alone, by id: its hash decides "edited by a human". Warm (the cache has the seed): the
    # commit and the three trees on the edited path (no filter: and the edited blob, so nothing by id).
    # The record matched the one this seed would write by id. Nothing is overwritten, nothing committed.
    trees, head = len(trees_of(repo, "main")), len(objects_of(repo, "main"))
    expected = {
        ("cold", True): ([1 + trees, 1], [[edited]]),
        ("warm", True): ([1 + 3, 1], [[edited]]),
        ("cold", False): ([head, 1], [[edited]]),
        ("warm", False): ([1 + 3 + 1], []),
    }[cache_state, server_filter]
    assert (server_sent(traced_daemon.trace), asked) == expected
    assert result.commit is None and result.plan.skipped == ("teams/team-07/ns.yaml",)
    assert git("--git-dir", str(repo), "show", "main:teams/team-07/ns.yaml").endswith("edited: by a human\n")


def test_a_template_upgrade_reads_only_the_changed_files_and_the_record(git_daemon, cache_dir, monkeypatch):
    repo = git_daemon.create_repo("cfg")
    allow_filter(repo)
    url = git_daemon.url("cfg")
    seed_files(url, FILES, **VERSIONS)
    asked: list[bytes] = []
    fetch_blobs = partial.fetch_blobs

    def spy(client, remote, shas, heads):  # type: ignore[no-untyped-def]
        asked.extend(shas)
        return fetch_blobs(client, remote, shas, heads)

    monkeypatch.setattr("platform_kit.publish.branch.fetch_blobs", spy)
    cache_dir.fresh()
    upgraded = {**FILES, "teams/team-03/rbac.yaml": "kind: rbac\nteam: 3\nversion: 2\n"}

    result = seed_files(url, upgraded, **{**VERSIONS, "library_version": "0.2.0", "template_version": "2"})

    old = git("--git-dir", str(repo), "rev-parse", "main:teams/team-03/rbac.yaml").strip().encode()
    record = git("--git-dir", str(repo), "rev-parse", f"main:{RECORD}").strip().encode()
    assert sorted(asked) == sorted([old, record])
    assert result.plan.propose == ("teams/team-03/rbac.yaml",) and result.proposal is not None
    assert result.proposal.state == "created"
    branch = f"refs/heads/{result.upgrade_branch}"
    assert git("--git-dir", str(repo), "show", f"{branch}:teams/team-03/rbac.yaml").endswith("version: 2\n")
    # Re-running finds the upgrade branch as proposed (compared by blob id) and changes nothing.
    again = seed_files(url, upgraded, **{**VERSIONS, "library_version": "0.2.0", "template_version": "2"})
    assert again.commit is None and again.proposal is not None and again.proposal.state == "exists"


def test_a_server_refusing_blobs_by_id_gets_asked_for_the_whole_head(git_daemon, cache_dir, monkeypatch):
    repo = git_daemon.create_repo("cfg")
    allow_filter(repo)
    url = git_daemon.url("cfg")
    seed_files(url, FILES, **VERSIONS)
    cache_dir.fresh()
    assert seed_files(url, FILES, **VERSIONS).commit is None  # a cold cache: commits and trees only
    assert object_types(cache_repo(cache_dir.current))["blob"] == 0
    # Protocol v0 without uploadpack.allowAnySHA1InWant: git refuses a `want` of a blob ("not our ref").
    monkeypatch.setattr("platform_kit.publish.transport.DEFAULT_GIT_PROTOCOL_VERSION_FETCH", 0)
    calls: list[tuple[int | None, list[bytes]]] = []
    receive = partial.receive

    def spy(client, remote, wants, *, partial, depth=1):  # type: ignore[no-untyped-def]
        shas = wants({}, depth)
        try:
            got = receive(client, remote, wants, partial=partial, depth=depth)
        except GitProtocolError:
            calls.append((depth, ["refused"]))
            raise
        calls.append((depth, shas))
        return got

    monkeypatch.setattr(partial, "receive", spy)

    # Another library version: the record differs from the one this seed would write, so it is read.
    result = seed_files(url, FILES, **{**VERSIONS, "library_version": "0.9.0"})

    head = git("--git-dir", str(repo), "rev-parse", "main").strip().encode()
    assert calls == [(None, ["refused"]), (1, [head])]
    assert result.commit is None and result.plan.is_noop  # versions alone never commit


def test_an_additive_re_seed_pushes_only_the_new_blobs_trees_and_commit(traced_daemon, cache_dir):
    repo = traced_daemon.create_repo("cfg")
    allow_filter(repo)
    git("--git-dir", str(repo), "config", "receive.unpackLimit", "1")  # keep each received pack as sent
    url = traced_daemon.url("cfg")
    first = seed_files(url, FILES, **VERSIONS)
    packs = set((repo / "objects" / "pack").glob("*.pack"))
    cache_dir.fresh()  # cold: the fetch before the push brings no blob either
    server_sent(traced_daemon.trace)
    new = {f"teams/team-{n:02d}/ns.yaml": f"kind: ns\nteam: {n}\n" for n in range(30, 33)}
    new["teams/team-00/quota.yaml"] = "kind: quota\nteam: 0\n"

    result = seed_files(url, {**FILES, **new}, **VERSIONS)

    assert result.commit is not None and sorted(result.plan.create) == sorted(new)
    assert server_sent(traced_daemon.trace) == [1 + len(trees_of(repo, first.commit))]  # no blob
    (pushed,) = set((repo / "objects" / "pack").glob("*.pack")) - packs
    listed = git("verify-pack", "-v", str(pushed.with_suffix(".idx"))).splitlines()
    sent = {line.split()[0]: line.split()[1] for line in listed if re.match(r"[0-9a-f]{40} ", line)}
    record = git("--git-dir", str(repo), "rev-parse", f"main:{RECORD}").strip()
    expected_blobs = {blob_id(content.encode()).decode() for content in new.values()} | {record}
    expected_trees = trees_of(repo, result.commit) - trees_of(repo, first.commit)
    assert {sha for sha, kind in sent.items() if kind == "blob"} == expected_blobs
    assert {sha for sha, kind in sent.items() if kind == "tree"} == expected_trees
    assert [sha for sha, kind in sent.items() if kind == "commit"] == [result.commit]
    assert len(sent) == len(expected_blobs) + len(expected_trees) + 1
    git("--git-dir", str(repo), "fsck", "--strict")


@pytest.mark.parametrize("deltas", ["by offset", "by id"])
def test_blobs_sent_anyway_are_dropped_unread_and_deltas_on_them_too(tmp_path, deltas):
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    for n in range(40):  # near-identical files: git stores most as deltas on one another
        (work / f"file-{n:02d}.yaml").write_text("".join(f"line {i}: {'x' * 40}\n" for i in range(60)) + f"n: {n}\n")
    git("-C", str(work), "add", "-A")
    git("-C", str(work), "commit", "-qm", "files")
    listing = git("-C", str(work), "rev-list", "--objects", "main")
    args = ["pack-objects", "--stdout", "-q", "--window=50"] + (
        ["--delta-base-offset"] if deltas == "by offset" else []
    )
    proc = subprocess.run(["git", "-C", str(work), *args], input=listing.encode(), capture_output=True, check=True)
    data = proc.stdout
    with PackData.from_file(io.BytesIO(data), DEFAULT_OBJECT_FORMAT, len(data)) as pack:
        kinds = Counter(unpacked.pack_type_num for unpacked in pack.iter_unpacked())
    assert kinds[OFS_DELTA if deltas == "by offset" else REF_DELTA] > 10  # blobs stored as deltas on blobs

    whole, entries = partial.parse_pack(data)
    kept, kept_entries = partial.parse_pack(data, blobs=False)

    types = Counter(obj.type_name.decode() for obj in whole.values())
    assert types == Counter(commit=1, tree=1, blob=40) and len(entries) == 42
    if deltas == "by offset":  # dropped unread, with every delta on them
        assert Counter(obj.type_name.decode() for obj in kept.values()) == Counter(commit=1, tree=1)
        assert len(kept_entries) == 2
    else:  # deltas naming their base by id: read whole rather than guess
        assert kept.keys() == whole.keys()
