"""ConfigRepoSeed: a Pulumi resource that publishes the rendered repo with the shared publisher.

Create-only and idempotent: an update publishes only files missing from the remote (and
the environment's seed record); files whose template changed since the recorded seed are
offered on an upgrade branch (a pull request on GitHub), files humans edited are skipped,
and deleting the resource leaves the repository untouched (Git owns the content). The state it
keeps is small (a digest per file and one compressed archive in, a fingerprint and counts out):
see `platform_kit.gitops.seed_state`. What a create or update does is
`platform_kit.delivery.seeding.publish_seed`, which the CLI's `seed` calls too.

`_SeedProvider` stays defined in this module: Pulumi state pickles it by import path (`SeedProvider`
is the same class by a public name).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult

from platform_kit._version import __version__
from platform_kit.delivery import seeding
from platform_kit.delivery.seeding import SEED_MESSAGE, PullRequestTarget
from platform_kit.gitops import seed_state
from platform_kit.naming import type_token
from platform_kit.publish import GitAuth
from platform_kit.publish.auth import Scrubber
from platform_kit.publish.errors import builtin_error
from platform_kit.repo.version import TEMPLATE_VERSION

_MOVED = {
    "plan_seed": "preview_seed",
    "proposal_host": "proposal_host",
    "publish_seed": "publish_seed",
    "pull_request_target": "pull_request_target",
}
"""Names that moved to `platform_kit.delivery.seeding` (old name -> new): forwarded for one release."""


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        new = _MOVED[name]
        warnings.warn(
            f"{__name__}.{name} moved to platform_kit.delivery.seeding.{new}; the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(seeding, new)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class ConfigRepoSeedArgs:
    """Inputs of ConfigRepoSeed."""

    url: str
    """Remote the seed publishes to (path, file, git, http(s), ssh)."""
    branch: str
    """Branch to commit to."""
    files: Mapping[str, str]
    """Repo-relative path -> content; existing paths are never overwritten."""
    environment: str
    """Environment name, used in the commit message."""
    auth: GitAuth | None = None
    """Credentials; stored only as a Pulumi secret."""
    pull_requests: PullRequestTarget | None = None
    """Where to open a pull request for an upgrade branch (GitHub); None: the branch alone is the proposal."""
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """Resources the commit waits for (e.g. the repository, when Pulumi creates it)."""


def _publish(props: Mapping[str, Any]) -> dict[str, Any]:
    auth = GitAuth(**props["auth"]) if props.get("auth") else None
    result = seeding.publish_seed(
        props["url"],
        props["branch"],
        seed_state.contents(props),
        environment=props["environment"],
        auth=auth,
        proposals=seeding.proposal_host(props.get("pullRequests"), auth),
        message=props["message"],
    )
    return seed_state.outputs(props, result)


def _engine_error(error: Exception, props: Mapping[str, Any]) -> Exception:
    """`error` as a builtin exception with one scrubbed line: what the engine shows is `traceback.format_exc()`."""
    auth = props.get("auth") if isinstance(props.get("auth"), Mapping) else {}
    return builtin_error(error, Scrubber(auth.get("token"), auth.get("ssh_private_key")))


class _SeedProvider(ResourceProvider):
    """Dynamic provider: create/update publish missing files; delete leaves the repo alone.

    State written by every release unpickles here: `__provider` holds this class by import path.
    Each method catches everything and raises a builtin exception `from None` in its own frame,
    so an error reaches the engine as a ten-line traceback ending in one plain message.
    """

    def create(self, props: dict[str, Any]) -> CreateResult:
        try:
            outs = _publish(props)
        except Exception as error:  # noqa: BLE001 - crosses into the engine as one plain line
            raise _engine_error(error, props) from None
        return CreateResult(id_=f"{props['url']}#{props['branch']}", outs=outs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Replace on another url or branch; update when the fingerprint differs or the state has the older format.

        `olds` are the stored outputs. Auth is not compared: a rotated token needs no git operation,
        and the next create or update uses the current one.
        """
        try:
            replaces = [key for key in ("url", "branch") if olds.get(key) != news.get(key)]
            stale = "fingerprint" not in olds  # older format: one update rewrites the state small, pushes nothing new
            changed = bool(replaces) or stale or olds["fingerprint"] != seed_state.fingerprint(news)
        except Exception as error:  # noqa: BLE001 - crosses into the engine as one plain line
            raise _engine_error(error, news) from None
        return DiffResult(changes=changed, replaces=replaces, delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        try:
            outs = _publish(news)
        except Exception as error:  # noqa: BLE001 - crosses into the engine as one plain line
            raise _engine_error(error, news) from None
        return UpdateResult(outs=outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh without touching the remote (Git owns the content); stored outputs come back in today's format."""
        try:
            outs = seed_state.current_outputs(props)
        except Exception as error:  # noqa: BLE001 - crosses into the engine as one plain line
            raise _engine_error(error, props) from None
        return ReadResult(id_, outs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Deliberately leaves every commit in place: after the hand-over, Git owns the content."""


SeedProvider = _SeedProvider
"""The seed's dynamic provider by a public name (tests, tools). Only a second name: the class stays
`_SeedProvider`, the name Pulumi state pickles."""


class SeedCommit(Resource, module="platform-kit", name="SeedCommit"):
    """The dynamic resource that calls the publisher (type `pulumi-python:dynamic/platform-kit:SeedCommit`)."""


SEED_COMMIT_TYPE = "pulumi-python:dynamic/platform-kit:SeedCommit"
"""Type token of SeedCommit, how the offline engine finds the seeded tree."""

OUTPUTS = (
    *("fingerprint", "commit", "head", "created", "proposed", "skipped", "unchanged"),
    *("upgradeBranch", "pullRequest"),
)
"""Outputs of SeedCommit besides url and branch (see `seed_state.outputs`)."""


def seeded_files(inputs: Mapping[str, Any]) -> dict[str, str]:
    """Path -> content a SeedCommit publishes, from its recorded inputs (the offline engine's config repo tree)."""
    return seed_state.contents(inputs)


class ConfigRepoSeed(pulumi.ComponentResource):
    """Seeds the config repo once (one commit of the missing files) during `pulumi up`."""

    commit: pulumi.Output[str]
    """Sha of the commit this resource made ('' when nothing was missing)."""
    upgrade_branch: pulumi.Output[str]
    """Branch offering template upgrades this run pushed or found ('' when nothing was proposed)."""

    def __init__(self, name: str, args: ConfigRepoSeedArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("gitops", "ConfigRepoSeed"), name, None, opts)
        auth = (
            pulumi.Output.secret({k: v for k, v in asdict(args.auth).items() if v is not None}) if args.auth else None
        )
        target = args.pull_requests
        props = {
            "url": args.url,
            "branch": args.branch,
            **seed_state.pack_files(args.files),
            "message": SEED_MESSAGE.format(environment=args.environment),
            "environment": args.environment,
            "versions": {"library": __version__, "templates": TEMPLATE_VERSION},
            "pullRequests": {"owner": target.owner, "repo": target.repo, "apiUrl": target.api_url} if target else None,
            "auth": auth,
            **dict.fromkeys(OUTPUTS),
        }
        seed = SeedCommit(
            _SeedProvider(),
            f"{name}-commit",
            props,
            pulumi.ResourceOptions(parent=self, additional_secret_outputs=["auth"], depends_on=list(args.after)),
        )
        self.commit = seed.commit  # type: ignore[attr-defined]
        self.upgrade_branch = seed.upgradeBranch  # type: ignore[attr-defined]
        self.resource = seed
        self.register_outputs({"commit": self.commit, "upgradeBranch": self.upgrade_branch})
