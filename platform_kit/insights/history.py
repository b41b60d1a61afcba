"""Read a branch's history as landings: what arrived on it, when, from which commits (dulwich).

A *landing* is one commit of the branch's first-parent chain: a merge commit, a squash or
rebased commit, or a direct push. It brought every commit reachable from it that the branch
did not hold before (for a merge: the merged branch's new commits), and its changed paths are
the difference between its tree and its first parent's. The walk reads commits and trees only,
never a blob, so a partial clone (`blob:none`) is enough; a shallow clone gives the landings
after its oldest commit (which is only the base of the next one's changes).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from dulwich.object_store import BaseObjectStore
from dulwich.objects import Commit, Tree

from . import library, messages


@dataclass(frozen=True)
class Landing:
    """One change as it arrived on the branch."""

    sha: str
    """The first-parent commit that brought it."""
    landed_at: int
    """Commit time of that commit (Unix seconds): when the change reached the branch."""
    first_authored_at: int
    """Earliest author time of the commits it brought: when work on the change started."""
    title: str
    """Pull request title where the messages say, else the commit subject."""
    pull_request: int | None
    """Pull/merge request number from the merge metadata, if any."""
    branch: str | None
    """Merged branch from the merge metadata, if any."""
    merge: bool
    """Whether it arrived as a merge commit."""
    commits: int
    """How many commits it brought (itself included)."""
    paths: tuple[str, ...]
    """Paths that differ from the first parent (sorted)."""
    library: library.LibraryKind | None
    """`seed` or `upgrade` when platform-kit made it, else None."""
    library_environment: str | None
    """The environment a platform-kit subject names."""
    reverts: tuple[str, ...]
    """Shas its commits say they revert (`This reverts commit <sha>.`)."""
    reverts_title: str | None
    """`X` of a `Revert "X"` title that names no sha."""
    fixes: tuple[str, ...]
    """Shas its `Fixes: <sha>` trailers name."""
    is_fix: bool
    """Whether its title or branch marks it as a fix."""


@dataclass(frozen=True)
class History:
    """A branch's landings, oldest first, and which landing brought each commit."""

    branch: str
    """Branch read."""
    head: str
    """Its head commit."""
    landings: tuple[Landing, ...]
    """Oldest first."""
    landing_of: Mapping[str, str]
    """Every commit of the branch -> the sha of the landing that brought it."""
    files: tuple[str, ...] = ()
    """Every file at the head (sorted)."""

    def resolve(self, sha: str) -> str | None:
        """The landing that brought commit `sha` (full or abbreviated, when unambiguous), else None."""
        if sha in self.landing_of:
            return self.landing_of[sha]
        if len(sha) < 40:
            found = {landing for commit, landing in self.landing_of.items() if commit.startswith(sha)}
            if len(found) == 1:
                return found.pop()
        return None


PRELOAD_LIMIT = 256 * 1024 * 1024
"""Pack files up to this size are read front to back once (every commit and tree kept, blobs dropped), which is
several times faster than looking each object up; a larger pack (big blobs) is read object by object."""


_EMPTY = Tree()


class _Objects:
    """Commits and trees by id, each parsed once."""

    def __init__(self, store: BaseObjectStore) -> None:
        self._store = store
        self._seen: dict[bytes, Commit | Tree] = {}
        for pack in getattr(store, "packs", ()):
            try:
                small = os.path.getsize(pack.data.path) <= PRELOAD_LIMIT
            except (AttributeError, OSError):
                small = False
            if small:
                self._seen.update((o.id, o) for o in pack.iterobjects() if isinstance(o, Commit | Tree))

    def _get(self, sha: bytes, kind: type[Commit] | type[Tree]) -> Commit | Tree:
        obj = self._seen.get(sha)
        if obj is None:
            obj = self._store[sha]
            if isinstance(obj, Commit | Tree):
                self._seen[sha] = obj
        if not isinstance(obj, kind):
            raise ValueError(f"{sha.decode()} is not a {kind.type_name.decode()}")
        return obj

    def commit(self, sha: bytes) -> Commit:
        return self._get(sha, Commit)  # type: ignore[return-value]

    def tree(self, sha: bytes) -> Tree:
        return self._get(sha, Tree)  # type: ignore[return-value]

    def changed(self, old: bytes | None, new: bytes | None, prefix: str = "") -> Iterator[str]:
        """Paths of files that differ between two trees (added, removed or modified), without reading a blob."""
        if old == new:
            return
        before = self.tree(old) if old is not None else _EMPTY
        after = self.tree(new) if new is not None else _EMPTY
        for name in set(before).union(after):  # tree order does not matter: the caller sorts
            a = before[name] if name in before else None
            b = after[name] if name in after else None
            if a == b:
                continue
            path = prefix + name.decode("utf-8", "replace")
            a_tree = a[1] if a is not None and stat.S_ISDIR(a[0]) else None
            b_tree = b[1] if b is not None and stat.S_ISDIR(b[0]) else None
            if a_tree is not None or b_tree is not None:
                yield from self.changed(a_tree, b_tree, path + "/")
            if (a is not None and a_tree is None) or (b is not None and b_tree is None):
                yield path

    def first_parent_chain(self, head: bytes) -> tuple[list[Commit], bool]:
        """The branch's first-parent chain, oldest first, and whether it is cut short (a shallow clone)."""
        chain, cut = [self.commit(head)], False
        while chain[-1].parents:
            try:
                chain.append(self.commit(chain[-1].parents[0]))
            except KeyError:  # beyond a shallow clone's boundary
                cut = True
                break
        chain.reverse()
        return chain, cut

    def new_commits(self, starts: list[bytes], reached: set[bytes]) -> list[Commit]:
        """Commits reachable from `starts` and not in `reached` (a merged branch's new commits)."""
        found: list[Commit] = []
        seen: set[bytes] = set()
        todo = [sha for sha in starts if sha not in reached]
        while todo:
            sha = todo.pop()
            if sha in seen or sha in reached:
                continue
            seen.add(sha)
            try:
                commit = self.commit(sha)
            except KeyError:  # beyond a shallow clone's boundary
                continue
            found.append(commit)
            todo.extend(parent for parent in commit.parents if parent not in reached and parent not in seen)
        return found


def read_history(store: BaseObjectStore, head: bytes, branch: str) -> History:
    """Every landing of the branch whose head is `head`."""
    objects = _Objects(store)
    reached: set[bytes] = set()  # every commit the branch held before the landing being read
    landing_of: dict[str, str] = {}
    landings = []
    previous: Commit | None = None
    chain, cut = objects.first_parent_chain(head)
    if cut:  # a shallow clone: its oldest commit is only the base the next one's changes are read against
        previous = chain.pop(0)
        reached.add(previous.id)
    for commit in chain:
        brought = [commit, *objects.new_commits(commit.parents[1:], reached)]
        reached.update(c.id for c in brought)
        sha = commit.id.decode("ascii")
        for each in brought:
            landing_of[each.id.decode("ascii")] = sha
        paths = tuple(sorted(objects.changed(previous.tree if previous is not None else None, commit.tree)))
        landings.append(_landing(commit, brought, paths))
        previous = commit
    files = tuple(sorted(objects.changed(None, objects.commit(head).tree)))
    return History(branch, head.decode("ascii"), tuple(landings), landing_of, files)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _landing(commit: Commit, brought: list[Commit], paths: tuple[str, ...]) -> Landing:
    message = _text(commit.message)
    is_merge = len(commit.parents) > 1
    info = messages.merge_info(message, is_merge)
    subject = messages.subject_of(message)
    kind = library.subject_kind(subject) or library.branch_kind(info.branch)
    work = brought[1:] if is_merge else brought  # a person's merge commit of platform-kit's commits is still theirs
    if kind is None and work and all(library.is_library_author(c.author) for c in work):
        inner = [library.subject_kind(messages.subject_of(_text(c.message))) for c in work]
        kind = next((k for k in inner if k is not None), "seed")
    environment = library.library_environment(subject) or next(
        (
            env
            for env in (library.library_environment(messages.subject_of(_text(c.message))) for c in brought)
            if env is not None
        ),
        None,
    )
    reverts: list[str] = []
    fixes: list[str] = []
    for each in brought:
        text = _text(each.message)
        reverts += messages.reverted_shas(text)
        fixes += messages.fixed_shas(text)
    return Landing(
        sha=commit.id.decode("ascii"),
        landed_at=commit.commit_time,
        first_authored_at=min(c.author_time for c in brought),
        title=info.title,
        pull_request=info.pull_request,
        branch=info.branch,
        merge=is_merge,
        commits=len(brought),
        paths=paths,
        library=kind,
        library_environment=environment if kind is not None else None,
        reverts=tuple(dict.fromkeys(reverts)),
        reverts_title=None if reverts else messages.reverted_title(info.title),
        fixes=tuple(dict.fromkeys(fixes)),
        is_fix=messages.is_fix(info.title, info.branch),
    )
