"""Branch updates over dulwich: fetch a snapshot, commit on top of it, push with compare-and-swap.

A push whose ref moved under it is re-fetched, re-decided and retried (bounded). A push
whose connection dropped is retried too (bounded, separately): the next fetch shows
whether it landed after all, so a retry never commits twice.
"""

from __future__ import annotations

import contextlib
import random
import re
import stat
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from dulwich.client import GitClient
from dulwich.errors import HangupException
from dulwich.file import FileLocked
from dulwich.objects import Blob, Commit, ShaFile, Tree
from dulwich.refs import check_ref_format
from dulwich.repo import BaseRepo, Repo
from urllib3.exceptions import ProtocolError, ReadTimeoutError

from .cache import CacheBusy, RemoteCache, is_local_failure, open_cache, packed
from .errors import BranchNotFoundError, ConcurrentUpdateError, ConnectionDroppedError, PublishError, PushRejectedError
from .locks import HAVE_FLOCK, LockTimeout, file_lock
from .partial import fetch_blobs, receive, wanting
from .transport import Remote
from .tree import ObjectCache, build_tree

ZERO_SHA = b"0" * 40
HEADS = b"refs/heads/"
_T = TypeVar("_T")
_PROGRESS_RE = re.compile(r"^(Resolving deltas|Unpacking objects|Counting objects|Compressing|Writing|Total)\b")
LOCK_FILE = "platform-kit.lock"
"""Lock file inside a local bare repo, held while one seed fetches, decides and pushes."""
LOCK_TIMEOUT = 300.0
"""Seconds a seed of a local repo waits for another one before giving up."""
_DROP_HINTS = ("connection reset", "broken pipe", "connection closed", "connection timed out", "disconnect")


def branch_ref(branch: str) -> bytes:
    """``refs/heads/<branch>``; ValueError for a name git would refuse."""
    ref = HEADS + str(branch).encode("utf-8")
    if not branch or not check_ref_format(ref):
        raise ValueError(f"invalid branch name {branch!r}")
    return ref


def branch_name(ref: bytes) -> str:
    """The branch name of a ``refs/heads/`` ref."""
    return ref[len(HEADS) :].decode("utf-8", "replace")


@dataclass
class Snapshot:
    """A branch head as seen now: fetched into memory, or read in place from a local repo.

    Every object is read (and parsed) at most once, through ``objects``. A network remote's
    snapshot may lack blobs (a partial fetch, see ``partial.py``): read them through ``blobs``.
    """

    head: bytes | None
    repo: BaseRepo | None
    """Where objects are read from (None: only those given to ``objects``, e.g. a fetch parsed in memory)."""
    refs: dict[bytes, bytes] = field(default_factory=dict)
    cache: RemoteCache | None = field(default=None, repr=False, compare=False)
    """The remote's object cache the snapshot reads from (None: in memory, or a local repo)."""
    lazy: Callable[[list[bytes]], Mapping[bytes, ShaFile]] | None = field(default=None, repr=False, compare=False)
    """Fetches objects the (partial) fetch left out, by id (None: the repo has every object: a local one)."""
    objects: ObjectCache = field(init=False)

    def __post_init__(self) -> None:
        self.objects = ObjectCache(self.repo.object_store if self.repo is not None else None)

    def root(self, commit: bytes | None = None) -> bytes | None:
        """Root tree of ``commit`` (default: the head); None for an empty branch."""
        sha = commit or self.head
        if sha is None:
            return None
        obj = self.objects[sha]
        if not isinstance(obj, Commit):
            raise PublishError(f"{sha.decode()} is not a commit")
        return obj.tree

    def read(self, path: str, commit: bytes | None = None) -> bytes | None:
        """Content of the file at ``path`` (None when absent or not a regular file)."""
        sha = self.root(commit)
        parts = path.encode("utf-8").split(b"/")
        for depth, name in enumerate(parts):
            tree = self.objects[sha] if sha is not None else None
            if not isinstance(tree, Tree) or name not in tree:
                return None
            mode, sha = tree[name]
            if depth == len(parts) - 1:
                return None if stat.S_ISDIR(mode) else self.blobs([sha]).get(sha)
        return None

    def blobs(self, shas: Iterable[bytes]) -> dict[bytes, bytes]:
        """Content of each blob of ``shas`` (other objects are left out).

        Those a partial fetch left out are fetched first, all in one round."""
        wanted = list(dict.fromkeys(shas))
        missing = [sha for sha in wanted if sha not in self.objects]
        if missing and self.lazy is not None:
            for obj in self.lazy(missing).values():
                self.objects.add(obj)
        found = {sha: self.objects[sha] for sha in wanted}
        return {sha: obj.data for sha, obj in found.items() if isinstance(obj, Blob)}

    def advance(self, commit: Commit, objects: Iterable[ShaFile]) -> None:
        """Record that ``commit`` (with ``objects``) is now the head (in this snapshot only)."""
        for obj in [*objects, commit]:
            self.objects.add(obj)
        self.head = commit.id


@dataclass(frozen=True)
class Update(Generic[_T]):
    """Outcome of :func:`update_branch`."""

    snapshot: Snapshot
    """The branch after the update (head = the new commit when one was made)."""
    decision: _T
    """What ``decide`` returned alongside the files it wrote."""
    commit: bytes | None
    """The commit this update made; None when ``decide`` had nothing to write."""
    attempts: int
    """Fetch/push rounds used."""


def fetch_snapshot(
    client: GitClient, remote: Remote, ref: bytes, also: Sequence[bytes] = (), *, use_cache: bool = True
) -> Snapshot:
    """Shallow-fetch ``ref`` (and the refs in ``also`` that exist): into the remote's object cache, else memory.

    A local repository is read in place instead (refs now, objects on demand), so
    a no-op seed reads the trees it walks and no blob whose id already matches. A network
    remote's cache is read in place the same way, after a fetch of only what it lacks;
    an object the cache cannot give (corrupt) makes the snapshot fetch its head into memory.
    A network fetch leaves blobs out where the server allows it (``filter blob:none``):
    ``Snapshot.blobs`` fetches the few a seed reads, by id.
    """
    if remote.kind == "local":
        return _local_snapshot(remote, ref)
    names = [ref, *also]
    cache = open_cache(remote) if use_cache else None
    if cache is None:
        return _memory_snapshot(client, remote, ref, names)
    try:
        refs = cache.fetch(client, remote, names, partial=True)
    except Exception as exc:
        if not is_local_failure(exc):
            cache.close()
            raise
        cache.discard() if not isinstance(exc, CacheBusy) else cache.close()
        return _memory_snapshot(client, remote, ref, names)
    snap = _snapshot(remote, ref, cache.repo, refs)
    snap.cache = cache
    for obj in cache.parsed.values():  # what a fetch into an empty cache brought, parsed already
        snap.objects.add(obj)
    weakref.finalize(snap, cache.close)
    heads = [refs[name] for name in names if name in refs]

    def fallback() -> Mapping[bytes, ShaFile]:
        cache.discard()  # a later remember() into the discarded cache fails quietly
        return receive(client, remote, wanting(heads), partial=False).objects  # blobs too: no lazy reads of a store

    snap.objects.fallback = fallback
    snap.lazy = lambda shas: fetch_blobs(client, remote, shas, heads)
    return snap


def _memory_snapshot(client: GitClient, remote: Remote, ref: bytes, names: Sequence[bytes]) -> Snapshot:
    def wants(refs, depth=None):  # type: ignore[no-untyped-def]
        shas = [refs.get(name) for name in names]
        return list(dict.fromkeys(sha for sha in shas if sha and sha != ZERO_SHA))

    got = receive(client, remote, wants, partial=True)
    snap = _snapshot(remote, ref, None, got.refs)
    for obj in got.objects.values():
        snap.objects.add(obj)
    heads = wants(got.refs)
    snap.lazy = lambda shas: fetch_blobs(client, remote, shas, heads)
    return snap


def _local_snapshot(remote: Remote, ref: bytes) -> Snapshot:
    repo = Repo(remote.path)
    refs = {k: v for k, v in repo.get_refs().items() if v and v != ZERO_SHA}
    snap = _snapshot(remote, ref, repo, refs)
    weakref.finalize(snap, repo.close)  # pack files stay open while the snapshot is in use
    return snap


def _snapshot(remote: Remote, ref: bytes, repo: BaseRepo | None, refs: dict[bytes, bytes]) -> Snapshot:
    head = refs.get(ref)
    if head is None and refs:
        branches = tuple(sorted(branch_name(k) for k in refs if k.startswith(HEADS)))
        raise BranchNotFoundError(
            f"branch {branch_name(ref)!r} not found in {remote.display}; branches: {', '.join(branches) or '(none)'}",
            branch_name(ref),
            branches,
        )
    return Snapshot(head, repo, refs)


@contextlib.contextmanager
def local_lock(remote: Remote, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Serialise platform-kit's writers of one local repository (an flock, waited on for ``timeout`` s).

    Processes of this library that seed one local bare repo take turns: each fetches,
    decides and pushes alone, so none races. Network remotes (and other writers, such
    as a human's ``git push``) are covered by the compare-and-swap push and its retries.
    """
    path = remote.local_path
    if path is None or not HAVE_FLOCK or not (path / "HEAD").is_file() or not (path / "objects").is_dir():
        yield  # not ours to lock (the client reports a missing repo)
        return
    try:
        lock = file_lock(path / LOCK_FILE, timeout)
        lock.__enter__()
    except LockTimeout:
        raise ConcurrentUpdateError(
            f"another seed of {remote.display} held {LOCK_FILE} for over {timeout:g}s; try again", 0
        ) from None
    except OSError:
        yield  # cannot create it (read-only repo): the push reports what is wrong, retries cover races
        return
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def make_commit(tree_id: bytes, parent: bytes | None, message: str, author: str) -> Commit:
    """A commit object by ``author`` (also the committer), timestamped now in UTC."""
    commit = Commit()
    commit.tree = tree_id
    commit.parents = [parent] if parent else []
    commit.author = commit.committer = author.encode("utf-8")
    commit.author_time = commit.commit_time = int(time.time())
    commit.author_timezone = commit.commit_timezone = 0
    commit.message = message.encode("utf-8") + (b"" if message.endswith("\n") else b"\n")
    return commit


def update_branch(
    client: GitClient,
    remote: Remote,
    ref: bytes,
    decide: Callable[[Snapshot], tuple[Mapping[str, bytes], _T]],
    *,
    message: str,
    author: str,
    max_attempts: int,
    network_attempts: int = 3,
) -> Update[_T]:
    """Commit what ``decide(snapshot)`` returns on top of ``ref``; decide again whenever the ref moved."""
    races = drops = rounds = 0
    attempted: tuple[bytes, _T] | None = None
    while True:
        rounds += 1
        snap = fetch_snapshot(client, remote, ref)
        if attempted is not None and snap.head == attempted[0]:
            return Update(snap, attempted[1], attempted[0], rounds)  # the dropped push had landed
        files, decision = decide(snap)
        if not files:
            return Update(snap, decision, None, rounds)
        tree_id, objects = build_tree(snap.objects, snap.root(), files)
        commit = make_commit(tree_id, snap.head, message, author)
        try:
            pushed = push_ref(client, remote, ref, snap.head, commit, objects, snap.cache)
        except ConnectionDroppedError as dropped:
            drops += 1
            attempted = (commit.id, decision)
            if drops < network_attempts:
                _backoff(drops)
                continue
            final = fetch_snapshot(client, remote, ref)
            if final.head == commit.id:
                return Update(final, decision, commit.id, rounds + 1)
            raise ConnectionDroppedError(
                f"{dropped.message} ({drops} attempts); branch {branch_name(ref)!r} is unchanged", drops
            ) from None
        if pushed:
            snap.advance(commit, objects)
            return Update(snap, decision, commit.id, rounds)
        races += 1
        if races >= max_attempts:
            raise ConcurrentUpdateError(
                f"gave up after {max_attempts} attempts: branch {branch_name(ref)!r} at {remote.display} kept moving",
                max_attempts,
            )
        _backoff(races)


def create_branch(
    client: GitClient,
    remote: Remote,
    ref: bytes,
    base: Snapshot,
    files: Mapping[str, bytes],
    *,
    message: str,
    author: str,
) -> bytes | None:
    """Create ``ref`` as one commit of ``files`` on top of ``base``'s head; None if ``ref`` appeared meanwhile."""
    tree_id, objects = build_tree(base.objects, base.root(), files)
    commit = make_commit(tree_id, base.head, message, author)
    try:
        pushed = push_ref(client, remote, ref, None, commit, objects, base.cache)
    except ConnectionDroppedError:
        # Creating a ref is idempotent to check: did this exact commit land?
        if client.get_refs(remote.path).refs.get(ref) == commit.id:
            return commit.id
        raise
    return commit.id if pushed else None


def _backoff(n: int) -> None:
    """Exponential backoff with jitter, so pushers that raced spread out."""
    time.sleep(min(0.05 * 2 ** (n - 1), 2.0) * random.uniform(0.5, 1.5))


def push_ref(
    client: GitClient,
    remote: Remote,
    ref: bytes,
    base: bytes | None,
    commit: Commit,
    objects: list[ShaFile],
    cache: RemoteCache | None = None,
) -> bool:
    """Send one pack and move ``ref`` from ``base`` to ``commit``; False when the ref moved under us.

    With a ``cache``, the pack (compressed once) is kept there too once the push landed."""
    moved: list[bytes | None] = []
    unique = list({o.id: o for o in [*objects, commit]}.values())
    records = packed(unique)

    def update_refs(refs):  # type: ignore[no-untyped-def]
        current = refs.get(ref)
        if (current if current != ZERO_SHA else None) != base:
            moved.append(current)
            return {}  # send nothing; the caller re-fetches and retries
        return {ref: commit.id}

    def pack_data(have, want, *, ofs_delta=False, progress=None):  # type: ignore[no-untyped-def]
        return len(records), iter(records)

    messages: list[bytes] = []
    try:
        result = client.send_pack(remote.path, update_refs, pack_data, progress=messages.append)
    except FileLocked:
        return False  # a local repo whose ref another git process is updating right now: a race
    except HangupException as exc:
        said = remote.scrub(b"; ".join(exc.stderr_lines or []).decode("utf-8", "replace"))
        if said and not any(hint in said.lower() for hint in _DROP_HINTS):
            raise  # the server said why (auth, policy): translated by the caller, not retried
        suffix = f": {said}" if said else ""
        raise ConnectionDroppedError(f"connection to {remote.display} dropped during push{suffix}") from None
    except (ConnectionError, TimeoutError, EOFError, ProtocolError, ReadTimeoutError) as exc:
        detail = remote.scrub(str(exc) or type(exc).__name__)
        raise ConnectionDroppedError(f"connection to {remote.display} dropped during push: {detail}") from None
    if moved:
        return False
    statuses = result.ref_status or {}
    if ref in statuses and statuses[ref] is None:
        return _landed(cache, records, ref, commit)
    # Rejected (or not reported): a moved branch is a race (retry); else a refusal.
    now = client.get_refs(remote.path).refs.get(ref)
    if now == commit.id:
        return _landed(cache, records, ref, commit)
    if (now if now != ZERO_SHA else None) != base:
        return False
    status = statuses.get(ref) or "the server did not update the branch"
    lines = [ln.strip() for ln in b"".join(messages).decode("utf-8", "replace").replace("\r", "\n").split("\n")]
    said = [ln for ln in lines if ln and not _PROGRESS_RE.match(ln)]
    reason = remote.scrub("; ".join([status, *said]))
    raise PushRejectedError(f"push of {branch_name(ref)!r} to {remote.display} rejected: {reason}", reason)


def _landed(cache: RemoteCache | None, records: list, ref: bytes, commit: Commit) -> bool:  # type: ignore[type-arg]
    if cache is not None:
        cache.remember(records, ref, commit.id)
    return True
