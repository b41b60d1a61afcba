"""Path validation and in-memory git tree building (create-only merge)."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Callable, Mapping
from typing import Union

from dulwich.object_store import BaseObjectStore
from dulwich.objects import Blob, ShaFile, Tree

from .errors import PublishError

FILE_MODE = 0o100644
DIR_MODE = stat.S_IFDIR
# nested {name: content-or-subtree}; names are bytes as stored in git
Node = dict[bytes, Union[bytes, "Node"]]


def normalize_files(files: Mapping[str, str | bytes]) -> dict[str, bytes]:
    """Validate every path and encode every content; returns a sorted copy."""
    out: dict[str, bytes] = {}
    for path, content in files.items():
        validate_path(path)
        if isinstance(content, str):
            content = content.encode("utf-8")
        elif not isinstance(content, (bytes, bytearray, memoryview)):
            raise TypeError(f"content of {path!r} must be str or bytes, not {type(content).__name__}")
        out[path] = bytes(content)
    ordered = dict(sorted(out.items()))
    # "a" and "a/b" cannot both be files.
    paths = set(ordered)
    for path in ordered:
        parts = path.split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix in paths:
                raise ValueError(f"invalid path {path!r}: {prefix!r} is also given as a file")
    return ordered


def validate_path(path: object) -> None:
    """Raise ValueError unless ``path`` is a clean relative POSIX path."""
    if not isinstance(path, str):
        raise ValueError(f"invalid path {path!r}: must be a str")
    if not path:
        raise ValueError("invalid path '': empty path")
    if path.startswith("/"):
        raise ValueError(f"invalid path {path!r}: absolute paths are not allowed")
    if "\\" in path or "\0" in path:
        raise ValueError(f"invalid path {path!r}: backslash/NUL not allowed")
    for part in path.split("/"):
        if part == "":
            raise ValueError(f"invalid path {path!r}: empty path component")
        if part in (".", ".."):
            raise ValueError(f"invalid path {path!r}: '.' and '..' are not allowed")
        if part.lower() == ".git":
            raise ValueError(f"invalid path {path!r}: '.git' is reserved")


Store = BaseObjectStore | Mapping[bytes, ShaFile]
"""Where objects are read from, by hex id: an object store, or objects parsed already."""


class ObjectCache:
    """Read-through cache over an object store: each object is read and parsed once.

    dulwich's stores parse (or copy) an object on every lookup, so walking a path per
    file re-reads every tree on the way: quadratic in the files under a wide directory.
    Objects added here (a commit about to be pushed) are seen by later reads.
    """

    def __init__(self, store: Store | None, fallback: Callable[[], Store] | None = None) -> None:
        self.store = store
        self.reads = 0
        """Objects read from the underlying store (each at most once)."""
        self.fallback = fallback
        """Where to read from instead, once, when the store fails (a corrupt object cache)."""
        self._objects: dict[bytes, ShaFile] = {}

    def __getitem__(self, sha: bytes) -> ShaFile:
        obj = self._objects.get(sha)
        if obj is None:
            if self.store is None:
                raise KeyError(sha)
            try:
                obj = self.store[sha]
            except Exception:
                if self.fallback is None:
                    raise
                self.store, self.fallback = self.fallback(), None
                obj = self.store[sha]
            self.reads += 1
            self._objects[sha] = obj
        return obj

    def __contains__(self, sha: bytes) -> bool:
        return sha in self._objects or (self.store is not None and sha in self.store)

    def add(self, obj: ShaFile) -> None:
        self._objects[obj.id] = obj

    def tree(self, sha: bytes) -> Tree:
        obj = self[sha]
        if not isinstance(obj, Tree):
            raise PublishError(f"remote object {sha.decode()} is not a tree")
        return obj


Entry = tuple[int, bytes]
"""A tree entry of a path: (mode, sha)."""


def blob_id(content: bytes) -> bytes:
    """The git blob id (hex) of ``content``, without building a Blob."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest().encode("ascii")


def lookup(
    objects: ObjectCache | BaseObjectStore | None, root: bytes | None, paths: list[str]
) -> dict[str, Entry | None]:
    """The tree entry of each path under ``root`` (None when missing), each tree read once.

    A path whose parent is a file, or which is itself a directory, in the
    remote cannot be created without overwriting: that is a PublishError.
    """
    cache = objects if isinstance(objects, ObjectCache) else ObjectCache(objects)
    dirs: dict[bytes, bytes | None] = {b"": root}  # directory -> its tree (None: missing)

    def directory(path: str, parts: list[bytes], depth: int) -> bytes | None:
        """Tree of ``parts[:depth]``, resolved once per directory."""
        key = b"/".join(parts[:depth])
        if key in dirs:
            return dirs[key]
        parent = directory(path, parts, depth - 1)
        sha = None
        if parent is not None:
            tree = cache.tree(parent)
            if parts[depth - 1] in tree:
                mode, sha = tree[parts[depth - 1]]
                if not stat.S_ISDIR(mode):
                    raise PublishError(
                        f"cannot create {path!r}: {key.decode('utf-8', 'replace')!r} is a file in the remote"
                    )
        dirs[key] = sha
        return sha

    found: dict[str, Entry | None] = {}
    for path in paths:
        parts = path.encode("utf-8").split(b"/")
        parent = directory(path, parts, len(parts) - 1)
        found[path] = None
        if parent is None:
            continue
        tree = cache.tree(parent)
        if parts[-1] in tree:
            mode, sha = tree[parts[-1]]
            if stat.S_ISDIR(mode):
                raise PublishError(f"cannot create {path!r}: it is a directory in the remote")
            found[path] = (mode, sha)
    return found


def classify(
    store: ObjectCache | BaseObjectStore | None, root: bytes | None, paths: list[str]
) -> tuple[list[str], list[str]]:
    """Split ``paths`` into (missing, existing) against tree ``root`` (see :func:`lookup`)."""
    found = lookup(store, root, paths)
    missing = [path for path in paths if found[path] is None]
    existing = [path for path in paths if found[path] is not None]
    return missing, existing


def build_tree(
    store: ObjectCache | BaseObjectStore | None, root: bytes | None, files: Mapping[str, bytes]
) -> tuple[bytes, list[ShaFile]]:
    """Add ``files`` (all missing) on top of tree ``root``.

    Returns the new root tree id and every new object (blobs, trees) to send.
    Untouched subtrees are reused by id, so only changed paths cost anything.
    """
    nested: Node = {}
    for path, content in files.items():
        *dirs, leaf = path.encode("utf-8").split(b"/")
        node = nested
        for name in dirs:
            node = node.setdefault(name, {})  # type: ignore[assignment]
        node[leaf] = content
    new_objects: list[ShaFile] = []
    root_id = _write(store, root, nested, new_objects)
    return root_id, new_objects


def _write(store: ObjectCache | BaseObjectStore | None, base: bytes | None, node: Node, out: list[ShaFile]) -> bytes:
    tree = Tree()
    if base is not None:
        for item in store[base].items():  # type: ignore[index, union-attr]
            tree.add(item.path, item.mode, item.sha)
    for name, child in node.items():
        if isinstance(child, dict):
            sub_base = None
            if name in tree:
                mode, sha = tree[name]
                sub_base = sha if stat.S_ISDIR(mode) else None
            tree.add(name, DIR_MODE, _write(store, sub_base, child, out))
        else:
            blob = Blob.from_string(child)
            out.append(blob)
            tree.add(name, FILE_MODE, blob.id)
    out.append(tree)
    return tree.id
