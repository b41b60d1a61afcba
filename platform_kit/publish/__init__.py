"""Create-only git publisher: seed a remote branch with files in one commit.

Pure dulwich over the git protocol (local/file, git://, http(s)://, ssh://);
no working tree, no Pulumi. `seed_files` adds the per-environment seed record,
upgrade proposals on a branch and review requests through a `ProposalHost`.
"""

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
