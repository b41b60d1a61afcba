"""Errors raised by the publisher.

Every message is built from redacted URLs and scrubbed remote output, so no
token, password or private key can appear in ``str()`` or ``repr()``.
`network_reason` turns a library's socket failure into one phrase; `builtin_error` is the
one-line builtin exception the Pulumi engine receives from the seed's provider.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable


class PublishError(Exception):
    """Base class for every publisher failure."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class AuthenticationError(PublishError):
    """The remote refused our credentials (or we refused its host key)."""


class RemoteUnreachableError(PublishError):
    """The remote could not be reached, or is not a git repository."""


class PushRejectedError(PublishError):
    """The remote rejected the push for a reason other than a moved ref."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class BranchNotFoundError(PublishError):
    """The remote has refs, but not the requested branch."""

    def __init__(self, message: str, branch: str = "", branches: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.branch = branch
        self.branches = branches


class ConcurrentUpdateError(PublishError):
    """The branch kept moving under us; gave up after ``max_attempts``."""

    def __init__(self, message: str, attempts: int = 0) -> None:
        super().__init__(message)
        self.attempts = attempts


class ConnectionDroppedError(RemoteUnreachableError):
    """The connection dropped during a push; retried (bounded) before this is raised."""

    def __init__(self, message: str, attempts: int = 1) -> None:
        super().__init__(message)
        self.attempts = attempts


class NetworkTimeoutError(RemoteUnreachableError):
    """A network deadline passed (``deadline``: "connect" or "overall"); the connection was cut."""

    def __init__(self, message: str, deadline: str = "overall") -> None:
        super().__init__(message)
        self.deadline = deadline


class NetworkSettingError(ValueError):
    """A network deadline setting (environment variable) is not a positive number of seconds."""


def network_reason(error: BaseException) -> str | None:
    """One plain phrase for the socket-level failure in an exception chain (urllib3's, dulwich's); None if none."""
    cause = _innermost_os_error(error)
    if cause is None:
        return None
    if isinstance(cause, socket.gaierror):
        return "cannot resolve the host name"
    if isinstance(cause, ssl.SSLError):
        detail = getattr(cause, "verify_message", None) or cause.reason or cause.strerror or "unknown reason"
        return f"TLS handshake failed: {str(detail).replace('_', ' ').lower()}"
    if isinstance(cause, TimeoutError):
        return "timed out"
    if cause.strerror:
        return cause.strerror.lower()
    return None


def _innermost_os_error(error: BaseException) -> OSError | None:
    """The deepest OSError reachable through `__cause__`, `__context__` and urllib3's `reason`."""
    found, seen, todo = None, set(), [error]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError):
            found = current
        todo += [
            linked
            for linked in (getattr(current, "reason", None), current.__context__, current.__cause__)
            if isinstance(linked, BaseException)
        ]
    return found


def builtin_error(error: BaseException, scrub: Callable[[str], str] = str) -> Exception:
    """The same failure as a builtin exception with a one-line, scrubbed message (for the Pulumi engine)."""
    kind: type[Exception] = RuntimeError
    for ours, builtin in _BUILTIN_KINDS:
        if isinstance(error, ours):
            kind = builtin
            break
    known = isinstance(error, (PublishError, ValueError, TypeError))
    text = str(error) if known else f"unexpected {type(error).__name__}: {error}"
    return kind(" ".join(scrub(text).split()) or type(error).__name__)


_BUILTIN_KINDS: tuple[tuple[type[BaseException], type[Exception]], ...] = (
    (AuthenticationError, PermissionError),
    (NetworkTimeoutError, TimeoutError),
    (RemoteUnreachableError, ConnectionError),
    (BranchNotFoundError, LookupError),
    (ValueError, ValueError),
    (TypeError, TypeError),
)
