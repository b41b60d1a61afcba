"""Open the config repo's history: a local clone in place, or any remote the seed can reach.

A remote is fetched with the publisher's transport (`platform_kit.publish.transport`: the same
URL forms, credentials, deadlines and scrubbed errors as `platform-kit seed`) into a temporary
bare repository that is removed afterwards. Only the branch is fetched, asking for no blobs
(`filter blob:none`) where the server allows it: the history is read from commits and trees.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from dulwich.errors import NotGitRepository
from dulwich.object_store import BaseObjectStore
from dulwich.refs import SymrefLoop
from dulwich.repo import Repo

from platform_kit.publish.auth import GitAuth
from platform_kit.publish.errors import BranchNotFoundError
from platform_kit.publish.publisher import guarded
from platform_kit.publish.transport import Remote, open_client, parse_remote

HEADS = b"refs/heads/"
DEFAULT_BRANCH = "main"
"""Branch read when neither the caller nor the repository names one."""


class SourceError(Exception):
    """The repository or branch to read cannot be opened (one line, no secret)."""


@dataclass(frozen=True)
class Opened:
    """A branch ready to be read."""

    store: BaseObjectStore
    """Objects (commits and trees at least)."""
    head: bytes
    """The branch head."""
    branch: str
    """The branch name."""
    display: str
    """Where it came from, safe to print."""


@contextlib.contextmanager
def open_branch(source: str, branch: str | None = None, auth: GitAuth | None = None) -> Iterator[Opened]:
    """The branch `branch` (default: the repository's default branch) of a local repo or a remote."""
    try:
        remote = parse_remote(source, auth)
    except ValueError as error:
        raise SourceError(str(error)) from None
    if remote.local_path is not None:
        with _local(str(remote.local_path), remote.display, branch) as opened:
            yield opened
        return
    tmp = tempfile.mkdtemp(prefix="platform-kit-insights-")
    try:
        repo = Repo.init_bare(tmp)
        try:
            head, name = guarded(remote, lambda: _fetch(remote, repo, branch))
            yield Opened(repo.object_store, head, name, remote.display)
        finally:
            repo.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class _NoFilterWarning(logging.Filter):
    """dulwich logs a warning when the server ignores `filter`: the full fetch is fine, so say nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "object filtering" not in record.getMessage()


def _fetch(remote: Remote, repo: Repo, branch: str | None) -> tuple[bytes, str]:
    wanted: dict[str, bytes] = {}

    def determine_wants(refs, depth=None):  # type: ignore[no-untyped-def]
        ref = HEADS + branch.encode() if branch else b"HEAD"
        sha = refs.get(ref)
        if not sha and not branch:
            ref = HEADS + DEFAULT_BRANCH.encode()
            sha = refs.get(ref)
        if not sha:
            names = sorted(k[len(HEADS) :].decode("utf-8", "replace") for k in refs if k.startswith(HEADS))
            name = branch or DEFAULT_BRANCH
            raise BranchNotFoundError(
                f"branch {name!r} not found in {remote.display}; branches: {', '.join(names) or '(none)'}",
                name,
                tuple(names),
            )
        wanted["sha"] = sha
        return [sha]

    quiet = _NoFilterWarning()
    logger = logging.getLogger("dulwich.client")
    logger.addFilter(quiet)
    try:
        with open_client(remote) as client:
            result = client.fetch(remote.path, repo, determine_wants=determine_wants, filter_spec=b"blob:none")
    finally:
        logger.removeFilter(quiet)
    name = branch or _branch_of(result.symrefs.get(b"HEAD")) or DEFAULT_BRANCH
    return wanted["sha"], name


def _branch_of(ref: bytes | None) -> str | None:
    return ref[len(HEADS) :].decode("utf-8", "replace") if ref and ref.startswith(HEADS) else None


@contextlib.contextmanager
def _local(path: str, display: str, branch: str | None) -> Iterator[Opened]:
    """A local repository read in place: `refs/heads/<branch>`, else `refs/remotes/origin/<branch>`
    (a clone whose local branch was never checked out); the default branch is origin's HEAD, else HEAD."""
    if not os.path.isdir(path):
        raise SourceError(f"{display} is not a directory (give a repository path or URL)")
    try:
        repo = Repo(path)
    except NotGitRepository:
        raise SourceError(f"{display} is not a git repository") from None
    try:
        refs = repo.refs
        if branch is None:
            branch = _branch_of(_symref(repo, b"refs/remotes/origin/HEAD", b"refs/remotes/origin/"))
            branch = branch or _branch_of(_symref(repo, b"HEAD", HEADS)) or DEFAULT_BRANCH
        for ref in (HEADS + branch.encode(), b"refs/remotes/origin/" + branch.encode()):
            if ref in refs:
                yield Opened(repo.object_store, refs[ref], branch, display)
                return
        names = sorted(k[len(HEADS) :].decode("utf-8", "replace") for k in refs.keys() if k.startswith(HEADS))
        raise SourceError(f"branch {branch!r} not found in {display}; branches: {', '.join(names) or '(none)'}")
    finally:
        repo.close()


def _symref(repo: Repo, name: bytes, prefix: bytes) -> bytes | None:
    """The ref `name` points to, as a `refs/heads/` name (None when it is not a symbolic ref under `prefix`)."""
    try:
        chain, _ = repo.refs.follow(name)
    except (KeyError, SymrefLoop):
        return None
    target = chain[-1] if len(chain) > 1 else None
    if target is None or not target.startswith(prefix):
        return None
    return HEADS + target[len(prefix) :]
