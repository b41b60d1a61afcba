"""ConfigRepoSeed: a Pulumi resource that publishes the rendered repo with the shared publisher.

Create-only and idempotent: an update publishes only files missing from the remote,
and deleting the resource leaves the repository untouched (Git owns the content).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult

from platform_kit.naming import type_token
from platform_kit.publish import GitAuth, publish_files

SEED_MESSAGE = "platform-kit: seed {environment}"
"""Commit message of the seed commit."""


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


def publish_seed(url: str, branch: str, files: Mapping[str, str], message: str, auth: GitAuth | None):
    """Publish the seed tree: one commit of the missing files; the CLI calls this too."""
    return publish_files(url, dict(files), branch=branch, message=message, auth=auth, create_local=True)


def _publish(props: Mapping[str, Any]) -> dict[str, Any]:
    auth = GitAuth(**props["auth"]) if props.get("auth") else None
    result = publish_seed(props["url"], props["branch"], props["files"], props["message"], auth)
    return {
        **props,
        "commit": result.commit or "",
        "head": result.head,
        "created": list(result.created),
    }


class _SeedProvider(ResourceProvider):
    """Dynamic provider: create/update publish missing files; delete leaves the repo alone."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = _publish(props)
        return CreateResult(id_=f"{props['url']}#{props['branch']}", outs=outs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        keys = ("url", "branch", "files", "auth", "message")
        changed = [key for key in keys if olds.get(key) != news.get(key)]
        replaces = [key for key in ("url", "branch") if key in changed]
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=_publish(news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Deliberately leaves every commit in place: after the hand-over, Git owns the content."""


class SeedCommit(Resource, module="platform-kit", name="SeedCommit"):
    """The dynamic resource that calls the publisher (type `pulumi-python:dynamic/platform-kit:SeedCommit`)."""


SEED_COMMIT_TYPE = "pulumi-python:dynamic/platform-kit:SeedCommit"
"""Type token of SeedCommit, how the offline engine finds the seeded tree."""


class ConfigRepoSeed(pulumi.ComponentResource):
    """Seeds the config repo once (one commit of the missing files) during `pulumi up`."""

    commit: pulumi.Output[str]
    """Sha of the commit this resource made ('' when nothing was missing)."""

    def __init__(self, name: str, args: ConfigRepoSeedArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("gitops", "ConfigRepoSeed"), name, None, opts)
        auth = (
            pulumi.Output.secret({k: v for k, v in asdict(args.auth).items() if v is not None}) if args.auth else None
        )
        props = {
            "url": args.url,
            "branch": args.branch,
            "files": dict(args.files),
            "message": SEED_MESSAGE.format(environment=args.environment),
            "auth": auth,
            "commit": None,
            "head": None,
            "created": None,
        }
        seed = SeedCommit(
            _SeedProvider(),
            f"{name}-commit",
            props,
            pulumi.ResourceOptions(parent=self, additional_secret_outputs=["auth"]),
        )
        self.commit = seed.commit  # type: ignore[attr-defined]
        self.resource = seed
        self.register_outputs({"commit": self.commit})
