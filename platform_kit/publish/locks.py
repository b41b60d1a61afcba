"""One exclusive file lock helper (``flock``), shared by the local-repo lock and the object cache."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locks (the compare-and-swap retries still apply)
    fcntl = None  # type: ignore[assignment]

HAVE_FLOCK = fcntl is not None


class LockTimeout(TimeoutError):
    """The lock stayed held by someone else for the whole wait."""


@contextlib.contextmanager
def file_lock(path: Path, timeout: float, *, mode: int = 0o644) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` (created with ``mode``), waited on for ``timeout`` s; then LockTimeout.

    The lock dies with its process. OSError when the file cannot be created."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, mode)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"{path} stayed locked for {timeout:g}s") from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
