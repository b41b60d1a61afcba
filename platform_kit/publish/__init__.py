"""Create-only git publisher: seed a remote branch with files in one commit.

Pure dulwich over the git protocol (local/file, git://, http(s)://, ssh://);
no working tree, no Pulumi.
"""

from .auth import GitAuth, redact_url
from .errors import (
    AuthenticationError,
    BranchNotFoundError,
    ConcurrentUpdateError,
    PublishError,
    PushRejectedError,
    RemoteUnreachableError,
)
from .publisher import PublishResult, init_local_bare, plan_files, publish_files

__all__ = [
    "AuthenticationError",
    "BranchNotFoundError",
    "ConcurrentUpdateError",
    "GitAuth",
    "PublishError",
    "PublishResult",
    "PushRejectedError",
    "RemoteUnreachableError",
    "init_local_bare",
    "plan_files",
    "publish_files",
    "redact_url",
]
