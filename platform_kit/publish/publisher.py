"""Create-only publishing of a file set as one commit on a remote branch."""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dulwich.client import GitClient
from dulwich.objects import Commit, ShaFile
from dulwich.pack import pack_objects_to_data
from dulwich.refs import check_ref_format
from dulwich.repo import MemoryRepo, Repo

from .auth import GitAuth
from .errors import BranchNotFoundError, ConcurrentUpdateError, PublishError, PushRejectedError
from .transport import Remote, open_client, parse_remote, translate
from .tree import build_tree, classify, normalize_files

ZERO_SHA = b"0" * 40
_T = TypeVar("_T")
DEFAULT_AUTHOR = "platform-kit <platform-kit@users.noreply.local>"
_PROGRESS_RE = re.compile(r"^(Resolving deltas|Unpacking objects|Counting objects|Compressing|Writing|Total)\b")


@dataclass(frozen=True)
class PublishResult:
    """Outcome of :func:`publish_files`."""

    commit: str | None
    """Sha of the new commit; None when nothing was missing (no push)."""
    head: str
    """Branch head after the operation ("" only for an empty remote and no files)."""
    created: tuple[str, ...]
    """Paths this call added."""
    existing: tuple[str, ...]
    """Paths already present in the remote (left untouched)."""
    attempts: int
    """Fetch/push rounds used (> 1 when another pusher moved the branch)."""


@dataclass
class _Snapshot:
    head: bytes | None
    repo: MemoryRepo


def init_local_bare(path: str | os.PathLike[str], *, branch: str = "main") -> None:
    """``git init --bare`` with HEAD -> refs/heads/<branch>; no-op if already a repo."""
    path, head = Path(path), _branch_ref(branch)
    if (path / "HEAD").is_file() and (path / "objects").is_dir():
        return
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise PublishError(f"cannot initialise {path}: it exists and is not a bare git repository")
    path.mkdir(parents=True, exist_ok=True)
    with Repo.init_bare(str(path)) as repo:
        repo.refs.set_symbolic_ref(b"HEAD", head)


def plan_files(
    url: str, files: Mapping[str, str | bytes], *, branch: str = "main", auth: GitAuth | None = None
) -> tuple[list[str], list[str]]:
    """Return ``(missing, existing)`` paths for ``files`` without pushing."""
    remote = parse_remote(url, auth)
    ref = _branch_ref(branch)
    wanted = normalize_files(files)

    def run() -> tuple[list[str], list[str]]:
        with open_client(remote) as client:
            snap = _fetch(client, remote, ref)
        return classify(snap.repo.object_store, _root_tree(snap), list(wanted))

    return _guarded(remote, run)


def publish_files(
    url: str,
    files: Mapping[str, str | bytes],
    *,
    branch: str = "main",
    message: str = "platform-kit: seed config repo",
    author: str = DEFAULT_AUTHOR,
    auth: GitAuth | None = None,
    max_attempts: int = 5,
    create_local: bool = False,
) -> PublishResult:
    """Push every file missing from ``branch`` as one commit; never overwrite.

    ``create_local`` initialises a missing bare repo first (local paths and
    ``file://`` only; ignored for network URLs).
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be >= 1")
    remote = parse_remote(url, auth)
    ref = _branch_ref(branch)
    wanted = normalize_files(files)
    if create_local and remote.local_path is not None:
        init_local_bare(remote.local_path, branch=branch)
    return _guarded(remote, lambda: _publish(remote, ref, wanted, message, author, max_attempts))


def _publish(
    remote: Remote, ref: bytes, wanted: dict[str, bytes], message: str, author: str, max_attempts: int
) -> PublishResult:
    with open_client(remote) as client:
        for attempt in range(1, max_attempts + 1):
            snap = _fetch(client, remote, ref)
            store = snap.repo.object_store
            missing, existing = classify(store, _root_tree(snap), list(wanted))
            head = snap.head.decode() if snap.head else ""
            if not missing:
                return PublishResult(None, head, (), tuple(existing), attempt)
            tree_id, objects = build_tree(store, _root_tree(snap), {p: wanted[p] for p in missing})
            commit = _make_commit(tree_id, snap.head, message, author)
            if _push(client, remote, ref, snap.head, commit, objects):
                sha = commit.id.decode()
                return PublishResult(sha, sha, tuple(missing), tuple(existing), attempt)
            if attempt < max_attempts:
                time.sleep(min(0.05 * 2 ** (attempt - 1), 1.0) * random.uniform(0.5, 1.5))
    raise ConcurrentUpdateError(
        f"gave up after {max_attempts} attempts: branch {ref[11:].decode()!r} at {remote.display} kept moving",
        max_attempts,
    )


def _branch_ref(branch: str) -> bytes:
    ref = b"refs/heads/" + str(branch).encode("utf-8")
    if not branch or not check_ref_format(ref):
        raise ValueError(f"invalid branch name {branch!r}")
    return ref


def _guarded(remote: Remote, run: Callable[[], _T]) -> _T:
    """Run ``run``; dulwich/OS errors become scrubbed PublishErrors, unchained."""
    try:
        return run()
    except PublishError:
        raise
    except Exception as exc:  # noqa: BLE001 - translated below
        err = translate(exc, remote)
        if err is None:
            detail = remote.scrub(f"{type(exc).__name__}: {exc}")
            err = PublishError(f"git operation on {remote.display} failed: {detail}")
    # Raised outside the except block so no __context__ can carry a secret.
    raise err


def _fetch(client: GitClient, remote: Remote, ref: bytes) -> _Snapshot:
    """Shallow-fetch the branch head (commit + trees + blobs) into memory."""
    target = MemoryRepo()

    def wants(refs, depth=None):  # type: ignore[no-untyped-def]
        sha = refs.get(ref)
        return [sha] if sha and sha != ZERO_SHA else []

    result = client.fetch(remote.path, target, determine_wants=wants, depth=1)
    refs = {k: v for k, v in result.refs.items() if v and v != ZERO_SHA}
    head = refs.get(ref)
    if head is None and refs:
        branches = tuple(
            sorted(k[len(b"refs/heads/") :].decode("utf-8", "replace") for k in refs if k.startswith(b"refs/heads/"))
        )
        name = ref[len(b"refs/heads/") :].decode()
        raise BranchNotFoundError(
            f"branch {name!r} not found in {remote.display}; branches: {', '.join(branches) or '(none)'}",
            name,
            branches,
        )
    return _Snapshot(head, target)


def _root_tree(snap: _Snapshot) -> bytes | None:
    if snap.head is None:
        return None
    commit = snap.repo.object_store[snap.head]
    if not isinstance(commit, Commit):
        raise PublishError(f"branch head {snap.head.decode()} is not a commit")
    return commit.tree


def _make_commit(tree_id: bytes, parent: bytes | None, message: str, author: str) -> Commit:
    commit = Commit()
    commit.tree = tree_id
    commit.parents = [parent] if parent else []
    commit.author = commit.committer = author.encode("utf-8")
    commit.author_time = commit.commit_time = int(time.time())
    commit.author_timezone = commit.commit_timezone = 0
    commit.message = message.encode("utf-8") + (b"" if message.endswith("\n") else b"\n")
    return commit


def _push(
    client: GitClient, remote: Remote, ref: bytes, base: bytes | None, commit: Commit, objects: list[ShaFile]
) -> bool:
    """Send one pack and one ref update; False when the ref moved under us."""
    moved: list[bytes | None] = []
    unique = list({o.id: o for o in [*objects, commit]}.values())

    def update_refs(refs):  # type: ignore[no-untyped-def]
        current = refs.get(ref)
        if (current if current != ZERO_SHA else None) != base:
            moved.append(current)
            return {}  # send nothing; the caller re-fetches and retries
        return {ref: commit.id}

    def pack_data(have, want, *, ofs_delta=False, progress=None):  # type: ignore[no-untyped-def]
        return pack_objects_to_data(unique, ofs_delta=ofs_delta)

    messages: list[bytes] = []
    result = client.send_pack(remote.path, update_refs, pack_data, progress=messages.append)
    if moved:
        return False
    statuses = result.ref_status or {}
    if ref in statuses and statuses[ref] is None:
        return True
    # Rejected (or not reported): a moved branch is a race (retry); else a refusal.
    now = client.get_refs(remote.path).refs.get(ref)
    if now == commit.id:
        return True
    if (now if now != ZERO_SHA else None) != base:
        return False
    status = statuses.get(ref) or "the server did not update the branch"
    lines = [ln.strip() for ln in b"".join(messages).decode("utf-8", "replace").replace("\r", "\n").split("\n")]
    said = [ln for ln in lines if ln and not _PROGRESS_RE.match(ln)]
    reason = remote.scrub("; ".join([status, *said]))
    raise PushRejectedError(f"push to {remote.display} rejected: {reason}", reason)
