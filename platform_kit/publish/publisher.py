"""Create-only publishing of a file set as one commit on a remote branch."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dulwich.repo import Repo

from .auth import GitAuth
from .branch import branch_ref, fetch_snapshot, local_lock, update_branch
from .errors import PublishError
from .transport import Remote, open_client, parse_remote, translate
from .tree import classify, normalize_files

_T = TypeVar("_T")
DEFAULT_AUTHOR = "platform-kit <platform-kit@users.noreply.local>"
MAX_ATTEMPTS = 10
"""Fetch/push rounds on a moving branch. Each lost round means another pusher's commit landed,
so N seeds of one repo at once need at most N rounds each."""


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
    """Fetch/push rounds used (> 1 when another pusher moved the branch or a push dropped)."""


def init_local_bare(path: str | os.PathLike[str], *, branch: str = "main") -> None:
    """``git init --bare`` with HEAD -> refs/heads/<branch>; no-op if already a repo.

    Race-free: the repo is made in a temporary sibling directory and renamed into
    place, so processes creating one path at once all end up with one whole repo.
    """
    path, head = Path(path).absolute(), branch_ref(branch)
    if _is_bare_repo(path):
        return
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise PublishError(f"cannot initialise {path}: it exists and is not a bare git repository")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.init-", dir=path.parent))
    try:
        with Repo.init_bare(str(tmp)) as repo:
            repo.refs.set_symbolic_ref(b"HEAD", head)
        os.rename(tmp, path)  # atomic; replaces an empty directory, fails on a non-empty one
    except OSError:
        if not _is_bare_repo(path):  # not another process's repo that won the rename
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _is_bare_repo(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir()


def plan_files(
    url: str, files: Mapping[str, str | bytes], *, branch: str = "main", auth: GitAuth | None = None
) -> tuple[list[str], list[str]]:
    """Return ``(missing, existing)`` paths for ``files`` without pushing."""
    remote = parse_remote(url, auth)
    ref = branch_ref(branch)
    wanted = normalize_files(files)

    def run() -> tuple[list[str], list[str]]:
        with open_client(remote) as client:
            snap = fetch_snapshot(client, remote, ref)
        return classify(snap.objects, snap.root(), list(wanted))

    return guarded(remote, run)


def publish_files(
    url: str,
    files: Mapping[str, str | bytes],
    *,
    branch: str = "main",
    message: str = "platform-kit: seed config repo",
    author: str = DEFAULT_AUTHOR,
    auth: GitAuth | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    create_local: bool = False,
) -> PublishResult:
    """Push every file missing from ``branch`` as one commit; never overwrite.

    ``create_local`` initialises a missing bare repo first (local paths and
    ``file://`` only; ignored for network URLs).
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be >= 1")
    remote = parse_remote(url, auth)
    ref = branch_ref(branch)
    wanted = normalize_files(files)
    if create_local and remote.local_path is not None:
        init_local_bare(remote.local_path, branch=branch)

    def decide(snap):  # type: ignore[no-untyped-def]
        missing, existing = classify(snap.objects, snap.root(), list(wanted))
        return {p: wanted[p] for p in missing}, (tuple(missing), tuple(existing))

    def run() -> PublishResult:
        with local_lock(remote), open_client(remote) as client:
            update = update_branch(
                client, remote, ref, decide, message=message, author=author, max_attempts=max_attempts
            )
        created, existing = update.decision
        head = update.snapshot.head.decode() if update.snapshot.head else ""
        if update.commit is None:
            return PublishResult(None, head, (), existing, update.attempts)
        return PublishResult(update.commit.decode(), head, created, existing, update.attempts)

    return guarded(remote, run)


def guarded(remote: Remote, run: Callable[[], _T]) -> _T:
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
