"""Create-only git publisher: seed a remote branch with files in one commit.

Pure dulwich over the git protocol (local/file, git://, http(s)://, ssh://);
no working tree, no Pulumi. `seed_files` adds the per-environment seed record,
upgrade proposals on a branch and review requests through a `ProposalHost`.

Public names load on first use (PEP 562): `redact_url` or `PublishError` do not pull dulwich.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .auth import GitAuth, redact_url
    from .errors import (
        AuthenticationError,
        BranchNotFoundError,
        ConcurrentUpdateError,
        ConnectionDroppedError,
        PublishError,
        PushRejectedError,
        RemoteUnreachableError,
    )
    from .proposals import GitHubPullRequests, NoProposals, Proposal, ProposalError, ProposalHost
    from .publisher import PublishResult, init_local_bare, plan_files, publish_files
    from .record import RecordError, SeedRecord, content_hash, record_path
    from .seeder import ProposalOutcome, SeedResult, plan_seed_files, seed_files
    from .upgrade import SeedPlan, plan_seed, upgrade_branch

_WHERE = {
    "GitAuth": "auth",
    "redact_url": "auth",
    "AuthenticationError": "errors",
    "BranchNotFoundError": "errors",
    "ConcurrentUpdateError": "errors",
    "ConnectionDroppedError": "errors",
    "PublishError": "errors",
    "PushRejectedError": "errors",
    "RemoteUnreachableError": "errors",
    "GitHubPullRequests": "proposals",
    "NoProposals": "proposals",
    "Proposal": "proposals",
    "ProposalError": "proposals",
    "ProposalHost": "proposals",
    "PublishResult": "publisher",
    "init_local_bare": "publisher",
    "plan_files": "publisher",
    "publish_files": "publisher",
    "RecordError": "record",
    "SeedRecord": "record",
    "content_hash": "record",
    "record_path": "record",
    "ProposalOutcome": "seeder",
    "SeedResult": "seeder",
    "plan_seed_files": "seeder",
    "seed_files": "seeder",
    "SeedPlan": "upgrade",
    "plan_seed": "upgrade",
    "upgrade_branch": "upgrade",
}

__all__ = [
    "AuthenticationError",
    "BranchNotFoundError",
    "ConcurrentUpdateError",
    "ConnectionDroppedError",
    "GitAuth",
    "GitHubPullRequests",
    "NoProposals",
    "Proposal",
    "ProposalError",
    "ProposalHost",
    "ProposalOutcome",
    "PublishError",
    "PublishResult",
    "PushRejectedError",
    "RecordError",
    "RemoteUnreachableError",
    "SeedPlan",
    "SeedRecord",
    "SeedResult",
    "content_hash",
    "init_local_bare",
    "plan_files",
    "plan_seed",
    "plan_seed_files",
    "publish_files",
    "record_path",
    "redact_url",
    "seed_files",
    "upgrade_branch",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
