"""GitHubHandover: what Pulumi sets on the GitHub repo once the seed landed and the agent runs.

Branch protection (required pull request reviews) comes after the seed commit, which it would
otherwise block; the push webhook points at the agent's receiver with the agent's generated
secret (secret-marked in state).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_github as github

from platform_kit.config.github import GitHubConfig
from platform_kit.naming import type_token

WEBHOOK_EVENTS = ("push",)
"""Repository events sent to the agent's receiver."""


@dataclass(frozen=True)
class GitHubHandoverArgs:
    """Inputs of GitHubHandover."""

    config: GitHubConfig
    """The `repo.github` settings."""
    repository: pulumi.Input[str]
    """Repository name."""
    branch: str
    """Branch the agent follows (the one to protect)."""
    webhook_url: pulumi.Input[str] | None = None
    """The agent's receiver URL; no webhook without it."""
    webhook_secret: pulumi.Input[str] | None = None
    """The agent's webhook secret (GitHub signs each delivery with it); no webhook without it."""
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """Resources the protection must wait for: the seed commit."""


class GitHubHandover(pulumi.ComponentResource):
    """Branch protection and the agent's push webhook on the config repo."""

    protection: github.BranchProtection | None
    """The branch protection rule (None when not configured)."""
    webhook: github.RepositoryWebhook | None
    """The push webhook (None when disabled or the agent exposes no URL)."""

    def __init__(self, name: str, args: GitHubHandoverArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("gitops", "GitHubHandover"), name, None, opts)
        config = args.config
        child = pulumi.ResourceOptions(parent=self)
        self.protection = None
        rules = config.branch_protection
        if rules is not None:
            self.protection = github.BranchProtection(
                f"{name}-protection",
                repository_id=args.repository,  # the name or the node ID
                pattern=args.branch,
                enforce_admins=rules.enforce_admins,
                allows_deletions=False,
                allows_force_pushes=False,
                required_pull_request_reviews=[
                    github.BranchProtectionRequiredPullRequestReviewArgs(
                        required_approving_review_count=rules.required_approvals,
                        dismiss_stale_reviews=rules.dismiss_stale_reviews,
                        require_code_owner_reviews=rules.require_code_owner_reviews,
                    )
                ],
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=list(args.after))),
            )
        self.webhook = None
        if config.webhook and args.webhook_url is not None and args.webhook_secret is not None:
            self.webhook = github.RepositoryWebhook(
                f"{name}-webhook",
                repository=args.repository,
                active=True,
                events=list(WEBHOOK_EVENTS),
                configuration=github.RepositoryWebhookConfigurationArgs(
                    url=args.webhook_url,
                    content_type="json",
                    insecure_ssl=False,
                    secret=pulumi.Output.secret(args.webhook_secret),
                ),
                opts=pulumi.ResourceOptions.merge(
                    child, pulumi.ResourceOptions(additional_secret_outputs=["configuration"])
                ),
            )
        self.register_outputs({"protectedBranch": args.branch if self.protection else None})
