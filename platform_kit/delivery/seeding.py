"""One environment's seed through the shared publisher: `publish_seed` and `preview_seed`.

The CLI's `platform-kit seed [--plan]` and the Pulumi resource `platform_kit.gitops.seed.ConfigRepoSeed`
(its dynamic provider) call the same functions, so both publish the same commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from platform_kit._version import __version__
from platform_kit.config.github import github_coordinates
from platform_kit.config.models import ConfigRepoConfig
from platform_kit.publish.auth import GitAuth
from platform_kit.repo.version import TEMPLATE_VERSION

if TYPE_CHECKING:
    from platform_kit.publish import ProposalHost, SeedResult

# The publisher (dulwich, HTTP) is imported by the functions that publish: a render defines the seed
# resource, whose provider publishes only during `pulumi up`.

SEED_MESSAGE = "platform-kit: seed {environment}"
"""Commit message of the seed commit."""


@dataclass(frozen=True)
class PullRequestTarget:
    """A GitHub repository that gets a pull request per upgrade branch (the token comes from the seed's auth)."""

    owner: str
    """Repository owner."""
    repo: str
    """Repository name."""
    api_url: str
    """REST API base URL."""


def pull_request_target(repo: ConfigRepoConfig) -> PullRequestTarget | None:
    """The GitHub repository to open upgrade pull requests on, when `repo.github.pullRequests` is on."""
    if repo.github is None or not repo.github.pull_requests:
        return None
    _, owner, name = github_coordinates(repo.url)
    return PullRequestTarget(owner, name, repo.github.api_url)


def proposal_host(target: PullRequestTarget | Mapping[str, str] | None, auth: GitAuth | None) -> ProposalHost:
    """GitHub pull requests for `target` with the seed's token, else no review requests."""
    from platform_kit.publish import GitHubPullRequests, NoProposals

    if target is None or auth is None or not auth.token:
        return NoProposals()
    if isinstance(target, Mapping):
        target = PullRequestTarget(target["owner"], target["repo"], target["apiUrl"])
    return GitHubPullRequests(target.owner, target.repo, auth.token, api_url=target.api_url)


def publish_seed(
    url: str,
    branch: str,
    files: Mapping[str, str],
    *,
    environment: str,
    auth: GitAuth | None,
    proposals: ProposalHost | None = None,
    message: str | None = None,
) -> SeedResult:
    """Seed one environment (missing files + record; upgrades on a branch); the CLI calls this too."""
    from platform_kit.publish import seed_files

    return seed_files(
        url,
        dict(files),
        environment=environment,
        library_version=__version__,
        template_version=TEMPLATE_VERSION,
        branch=branch,
        message=message or SEED_MESSAGE.format(environment=environment),
        auth=auth,
        proposals=proposals,
        create_local=True,
    )


def preview_seed(
    url: str, branch: str, files: Mapping[str, str], *, environment: str, auth: GitAuth | None
) -> SeedResult:
    """What `publish_seed` would do now, pushing nothing (`platform-kit seed --plan`).

    Was `platform_kit.gitops.seed.plan_seed`, renamed apart from `platform_kit.publish.upgrade.plan_seed`
    (the pure decision over already-fetched files, which this reaches through the publisher)."""
    from platform_kit.publish import plan_seed_files

    return plan_seed_files(
        url,
        dict(files),
        environment=environment,
        library_version=__version__,
        template_version=TEMPLATE_VERSION,
        branch=branch,
        auth=auth,
    )
