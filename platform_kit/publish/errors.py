"""Errors raised by the publisher.

Every message is built from redacted URLs and scrubbed remote output, so no
token, password or private key can appear in ``str()`` or ``repr()``.
"""

from __future__ import annotations


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
