"""A persistent local object cache per network remote, as git clients keep one.

A seed of a network remote fetches into ``<cache>/<hash>.git`` (a bare repo named by a
hash of the remote's credential-free URL) with the cache's heads as ``have``s, so an
unchanged remote sends nothing and a moved one only what is new; the snapshot then reads
trees in place, as a local repo's does. What a seed pushes is written there too (the pack
it sends, compressed once), so the next re-seed starts warm.

Fetches leave blobs out where the server allows it (``partial.py``), so a cache may be
partial, as a git partial clone is: its reader asks for a missing blob by id. A fetch into a
cache with no head yet (nothing to offer as a ``have``) is parsed once in memory and its pack
kept as received, rather than indexed and then read back from disk.

Nothing depends on the cache for correctness: the push still compare-and-swaps against the
remote's current ref, and a cache that is unusable (corrupt, unwritable, full disk, locked
for too long, not ours) is ignored (the snapshot is fetched into memory, as without a cache).

``PLATFORM_KIT_CACHE_DIR`` (else ``$XDG_CACHE_HOME/platform-kit``, else
``~/.cache/platform-kit``) says where; ``PLATFORM_KIT_CACHE=off`` turns it off.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import stat
import struct
import tempfile
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from dulwich.client import GitClient
from dulwich.errors import (
    ApplyDeltaError,
    ChecksumMismatch,
    FileFormatException,
    NotGitRepository,
    ObjectFormatException,
)
from dulwich.object_format import DEFAULT_OBJECT_FORMAT
from dulwich.objects import ShaFile
from dulwich.pack import (
    PackIndexEntry,
    UnpackedObject,
    full_unpacked_object,
    pack_object_chunks,
    write_pack_data,
    write_pack_index,
)
from dulwich.repo import Repo

from .locks import HAVE_FLOCK, LockTimeout, file_lock
from .partial import BLOB_FILTER, receive
from .transport import Remote, deadline_remaining

CACHE_DIR_ENV = "PLATFORM_KIT_CACHE_DIR"
CACHE_ENV = "PLATFORM_KIT_CACHE"
LOCK_FILE = "platform-kit.lock"
LOCK_TIMEOUT = 60.0
"""Seconds a seed waits for another seed's use of the same cache before going without it."""
MAX_PACKS = 50
"""More packs than this (one per fetch or push that brought something) and the cache starts over."""
_ZERO = b"0" * 40
_STORAGE_ERRORS = (
    ObjectFormatException,
    ChecksumMismatch,
    ApplyDeltaError,
    FileFormatException,
    NotGitRepository,
    KeyError,
    ValueError,
    IndexError,
    AssertionError,
    struct.error,
    zlib.error,
)
_LOCAL_ERRNOS = frozenset(
    getattr(errno, name)
    for name in (
        "ENOSPC",
        "EDQUOT",
        "EACCES",
        "EPERM",
        "EROFS",
        "EIO",
        "ENOENT",
        "EEXIST",
        "ENOTDIR",
        "EISDIR",
        "ENOTEMPTY",
        "EMFILE",
        "ENFILE",
        "EFBIG",
        "ESTALE",
    )
    if hasattr(errno, name)
)


class CacheBusy(Exception):
    """Another seed kept the cache locked for too long: go without it."""


def cache_root(env: Mapping[str, str] | None = None) -> Path | None:
    """Where the caches live; None when ``PLATFORM_KIT_CACHE=off``."""
    env = os.environ if env is None else env
    if env.get(CACHE_ENV, "").strip().lower() in ("off", "0", "false", "no"):
        return None
    if env.get(CACHE_DIR_ENV):
        return Path(env[CACHE_DIR_ENV]).expanduser()
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".cache")
    return Path(base) / "platform-kit"


def cache_key(remote: Remote) -> str:
    """A hash of the remote's URL without any user, password or token (the same repo, whoever logs in)."""
    parts = urlsplit(remote.url)
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port else ""
    canonical = f"{parts.scheme.lower()}://{host}{port}{parts.path}"
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:40]


def packed(objects: Sequence[ShaFile], level: int = -1) -> list[UnpackedObject]:
    """Pack records of ``objects``, each compressed once (for the push and for the cache) at zlib ``level``."""
    records = []
    for obj in objects:
        record = full_unpacked_object(obj)
        record.comp_chunks = list(
            pack_object_chunks(
                record.pack_type_num,
                record.decomp_chunks,  # type: ignore[arg-type]
                DEFAULT_OBJECT_FORMAT,
                compression_level=level,
            )
        )
        records.append(record)
    return records


class RemoteCache:
    """One remote's cache: a bare repo, a lock, and a way out when it breaks."""

    def __init__(self, path: Path, repo: Repo) -> None:
        self.path = path
        self.repo = repo
        self.received = 0
        """Objects the last fetch received (0: the cache had everything)."""
        self.parsed: dict[bytes, ShaFile] = {}
        """Objects the last fetch received, parsed, when it filled an empty cache (else empty)."""

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.repo.object_store

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Take turns with other seeds of this cache; TimeoutError when it stays busy."""
        remaining = deadline_remaining()
        timeout = LOCK_TIMEOUT if remaining is None else max(min(LOCK_TIMEOUT, remaining - 1.0), 0.0)
        try:
            with file_lock(self.path / LOCK_FILE, timeout, mode=0o600):
                yield
        except LockTimeout:
            raise CacheBusy(f"{self.path} is busy") from None

    def fetch(
        self, client: GitClient, remote: Remote, names: Sequence[bytes], *, partial: bool = False
    ) -> dict[bytes, bytes]:
        """Bring the refs ``names`` (those that exist) into the cache; return every remote ref.

        ``partial``: ask the server to leave blobs out (``filter blob:none``, see ``partial.py``); where
        it does, the cache lacks them, and its reader fetches those it needs by id. A cache with no
        head of this remote yet (nothing to offer as a ``have``) gets the pack as received (without
        the blobs a server sent anyway), its objects parsed once and kept in ``parsed`` for this
        seed's snapshot."""
        self.received, self.parsed = 0, {}

        def wants(refs, depth=None):  # type: ignore[no-untyped-def]
            shas = dict.fromkeys(refs.get(name) for name in names)
            return [sha for sha in shas if sha and sha != _ZERO and sha not in self.store]

        with self.lock():
            if self._heads():
                before = {pack.name() for pack in self.store.packs}
                filter_spec = BLOB_FILTER if partial else None
                result = client.fetch(remote.path, self.repo, determine_wants=wants, depth=1, filter_spec=filter_spec)
                self.received = sum(len(pack.index) for pack in self.store.packs if pack.name() not in before)
                refs = {k: v for k, v in result.refs.items() if v and v != _ZERO}
            else:
                got = receive(client, remote, wants, partial=partial)
                if got.objects:
                    if got.pack:
                        keep_pack(self.store.pack_dir, got.pack, got.entries)
                    else:  # the server sent blobs anyway, dropped: keep the rest, compressed again (quickly)
                        write_pack(self.store.pack_dir, packed(list(got.objects.values()), level=1))
                    self.store._update_pack_cache()
                    self.repo.update_shallow(got.shallow, None)
                refs, self.parsed, self.received = got.refs, got.objects, got.count
            for name in names:
                sha = refs.get(name)
                if sha is not None and sha in self.store:
                    self.repo.refs[name] = sha  # a `have` for the next fetch
        return refs

    def _heads(self) -> bool:
        """Whether the cache has a head to offer the server as a ``have``."""
        return any(sha in self.store for sha in self.repo.refs.as_dict(b"refs/heads").values())

    def remember(self, records: Sequence[UnpackedObject], ref: bytes, commit: bytes) -> None:
        """Keep what was just pushed (one pack) and point ``ref`` at ``commit``; never fails."""
        try:
            with self.lock():
                if commit not in self.store:
                    write_pack(self.store.pack_dir, records)
                    self.store._update_pack_cache()
                self.repo.refs[ref] = commit
        except Exception:  # noqa: BLE001 - a cache that cannot take it is simply colder next time
            return

    def discard(self) -> None:
        """Set the cache aside (it is unusable): the next seed starts a fresh one."""
        with contextlib.suppress(Exception):
            self.repo.close()
        discard(self.path)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.repo.close()


def write_pack(pack_dir: str, records: Sequence[UnpackedObject]) -> None:
    """Write ``records`` as a pack plus index, each under a temporary name renamed into place (pack first)."""

    def write(f):  # type: ignore[no-untyped-def]
        entries, checksum = write_pack_data(f.write, iter(records), DEFAULT_OBJECT_FORMAT, num_records=len(records))
        return [(sha, off, crc) for sha, (off, crc) in entries.items()], checksum

    _install(pack_dir, write)


def keep_pack(pack_dir: str, data: bytes, entries: Sequence[PackIndexEntry]) -> None:
    """Keep the self-contained pack ``data`` as received, with the index of its ``entries`` (as ``write_pack``)."""

    def write(f):  # type: ignore[no-untyped-def]
        f.write(data)
        return list(entries), data[-20:]

    _install(pack_dir, write)


def _install(pack_dir: str, write) -> None:  # type: ignore[no-untyped-def]
    fd, tmp = tempfile.mkstemp(dir=pack_dir, prefix=".tmp-", suffix=".pack-part")
    try:
        with os.fdopen(fd, "wb") as f:
            entries, checksum = write(f)
        name = os.path.join(pack_dir, f"pack-{checksum.hex()}")
        os.rename(tmp, name + ".pack")
        fd, tmp = tempfile.mkstemp(dir=pack_dir, prefix=".tmp-", suffix=".idx-part")
        with os.fdopen(fd, "wb") as f:
            write_pack_index(f, sorted(entries), checksum)
        os.rename(tmp, name + ".idx")
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def open_cache(remote: Remote) -> RemoteCache | None:
    """The cache of ``remote`` (created on first use); None when off or unusable."""
    root = cache_root()
    if root is None or not HAVE_FLOCK or remote.kind == "local":
        return None
    path = root / f"{cache_key(remote)}.git"
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(root):
            return None
        if not (path / "objects").is_dir():
            _init(path)
        if not _private(path):
            return None
        pack_dir = path / "objects" / "pack"
        if sum(1 for name in os.listdir(pack_dir) if name.endswith(".idx")) > MAX_PACKS:
            discard(path)
            _init(path)
        return RemoteCache(path, Repo(str(path), bare=True))
    except Exception:  # noqa: BLE001 - unusable: go without
        return None


def _private(path: Path) -> bool:
    """Ours and writable by nobody else (others' objects would be trusted)."""
    st = path.stat()
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022


def _init(path: Path) -> None:
    """A bare repo at ``path``, made in a private temporary sibling and renamed into place (race-free)."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.init-", dir=path.parent))  # 0700
    try:
        Repo.init_bare(str(tmp)).close()
        os.rename(tmp, path)
    except OSError:
        if not (path / "objects").is_dir():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def discard(path: Path) -> None:
    """Rename ``path`` aside (atomic) and delete it; best effort."""
    aside = path.with_name(f".{path.name}.discarded-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.rename(path, aside)
    except OSError:
        return
    shutil.rmtree(aside, ignore_errors=True)


def is_local_failure(exc: BaseException) -> bool:
    """True when ``exc`` came from the cache's own storage (a reason to go without it), not from the network."""
    if isinstance(exc, (CacheBusy, *_STORAGE_ERRORS)):
        return True
    return (
        isinstance(exc, OSError) and not isinstance(exc, (ConnectionError, TimeoutError)) and exc.errno in _LOCAL_ERRNOS
    )
