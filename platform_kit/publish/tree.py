"""Path validation and in-memory git tree building (create-only merge)."""

from __future__ import annotations

import stat
from collections.abc import Mapping
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


def classify(store: BaseObjectStore | None, root: bytes | None, paths: list[str]) -> tuple[list[str], list[str]]:
    """Split ``paths`` into (missing, existing) against tree ``root``.

    A path whose parent is a file, or which is itself a directory, in the
    remote cannot be created without overwriting: that is a PublishError.
    """
    missing: list[str] = []
    existing: list[str] = []
    cache: dict[bytes, Tree] = {}

    def load(sha: bytes) -> Tree:
        if sha not in cache:
            obj = store[sha]  # type: ignore[index]
            if not isinstance(obj, Tree):
                raise PublishError(f"remote object {sha.decode()} is not a tree")
            cache[sha] = obj
        return cache[sha]

    for path in paths:
        tree_sha = root
        parts = path.encode("utf-8").split(b"/")
        for depth, name in enumerate(parts):
            if tree_sha is None:
                missing.append(path)
                break
            tree = load(tree_sha)
            if name not in tree:
                missing.append(path)
                break
            mode, sha = tree[name]
            is_dir = stat.S_ISDIR(mode)
            last = depth == len(parts) - 1
            if last and is_dir:
                raise PublishError(f"cannot create {path!r}: it is a directory in the remote")
            if last:
                existing.append(path)
            elif not is_dir:
                prefix = b"/".join(parts[: depth + 1]).decode("utf-8", "replace")
                raise PublishError(f"cannot create {path!r}: {prefix!r} is a file in the remote")
            tree_sha = sha
    return missing, existing


def build_tree(
    store: BaseObjectStore | None, root: bytes | None, files: Mapping[str, bytes]
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


def _write(store: BaseObjectStore | None, base: bytes | None, node: Node, out: list[ShaFile]) -> bytes:
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
