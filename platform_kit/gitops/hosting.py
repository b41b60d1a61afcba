"""Git hosting as Platform sees it: who reads the repo with what, and what follows the hand-over.

`git_hosting(...)` returns a plain pass-through for any Git host, or the GitHub variant when
`repo.github` is set: a github Provider (token secret), the repository and the agent's deploy
key before the seed, and branch protection plus the push webhook after the seed and the agent.
pulumi_github and pulumi_tls are imported only in the GitHub case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi

from platform_kit.config.github import GITHUB_API_URL, github_coordinates
from platform_kit.config.models import PlatformConfig
from platform_kit.delivery.seeding import PullRequestTarget, pull_request_target
from platform_kit.publish import GitAuth

if TYPE_CHECKING:
    from platform_kit.gitops.agent import GitOpsAgent


@dataclass
class GitHosting:
    """Any Git host: the agent reads with the repo credentials; nothing to do after the seed."""

    seed_after: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """Resources the seed must wait for (the repository, when Pulumi creates it)."""
    sync_after: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """Resources the agent's first sync must wait for (its deploy key registration)."""
    pull_requests: PullRequestTarget | None = None
    """Where the seed opens upgrade pull requests."""

    def agent_auth(self, repo_auth: GitAuth | None) -> GitAuth | None:
        """Credentials the agent clones with."""
        return repo_auth

    def hand_over(self, seed: pulumi.Resource, agent: GitOpsAgent) -> None:
        """Settings that follow the seed and the agent (none for a generic host)."""


class GitHubHosting(GitHosting):
    """GitHub: the agent gets a read-only deploy key; protection and webhook follow the seed and the agent."""

    def __init__(self, name: str, config: PlatformConfig, auth: GitAuth, opts: pulumi.ResourceOptions):
        import pulumi_github as github

        from platform_kit.gitops.github import GitHubRepo, GitHubRepoArgs

        settings = config.repo.github
        assert settings is not None
        _, owner, repo_name = github_coordinates(config.repo.url)
        provider = github.Provider(
            f"{name}-provider",
            owner=owner,
            token=pulumi.Output.secret(auth.token or ""),
            base_url=None if settings.api_url == GITHUB_API_URL else settings.api_url + "/",
            opts=opts,
        )
        self._name, self._config, self._provider = name, config, provider
        self._opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(providers=[provider]))
        self.repo = GitHubRepo(
            name,
            GitHubRepoArgs(config=settings, owner=owner, name=repo_name, environment=config.seed_name),
            opts=self._opts,
        )
        super().__init__(
            seed_after=[self.repo.created] if self.repo.created is not None else [],
            sync_after=[self.repo.deploy_key],
            pull_requests=pull_request_target(config.repo),
        )

    def agent_auth(self, repo_auth: GitAuth | None) -> GitAuth | None:
        """The read-only deploy key, never the token the seed pushes with."""
        return self.repo.agent_auth

    def hand_over(self, seed: pulumi.Resource, agent: GitOpsAgent) -> None:
        """Branch protection after the seed; the webhook to the agent's receiver (URL and secret from the agent)."""
        from platform_kit.gitops.github_handover import GitHubHandover, GitHubHandoverArgs

        settings = self._config.repo.github
        assert settings is not None
        self.handover = GitHubHandover(
            f"{self._name}-handover",
            GitHubHandoverArgs(
                config=settings,
                repository=self.repo.repository,
                branch=self._config.repo.branch,
                webhook_url=agent.webhook_url,
                webhook_secret=agent.webhook_secret,
                after=[seed],
            ),
            opts=self._opts,
        )


def git_hosting(name: str, config: PlatformConfig, auth: GitAuth | None, opts: pulumi.ResourceOptions) -> GitHosting:
    """GitHubHosting when `repo.github` is set (needs the repo token), else the pass-through."""
    if config.repo.github is None:
        return GitHosting()
    if auth is None or not auth.token:
        raise ValueError("platform.repo.github needs the repo token (credentials.kind: token)")
    return GitHubHosting(name, config, auth, opts)
