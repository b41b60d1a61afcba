"""Teams: one `platform:teams` entry gives a team its namespaces, quota, access, secrets and GitOps home.

Size classes are the single place where quota numbers live. Cross-team rules (unique
names and namespaces, no platform namespace) are checked on the whole list and
reported by field path, e.g. `platform.teams[1].namespaces[0]`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from platform_kit.config.base import DnsLabel, Model, SourceRepoUrl

SizeName = Literal["small", "medium", "large"]

GroupName = Annotated[str, StringConstraints(pattern=r"^\S(.*\S)?$", max_length=256)]
"""An identity-provider group name (as the cluster's authenticator reports it), without outer spaces."""


@dataclass(frozen=True)
class SizeClass:
    """Quota of one team namespace (ResourceQuota) and per-container defaults and caps (LimitRange)."""

    requests_cpu: str
    requests_memory: str
    limits_cpu: str
    limits_memory: str
    pods: int
    persistent_volume_claims: int
    requests_storage: str
    container_default_cpu: str
    container_default_memory: str
    container_request_cpu: str
    container_request_memory: str
    container_max_cpu: str
    container_max_memory: str


SIZE_CLASSES: dict[str, SizeClass] = {
    "small": SizeClass("2", "4Gi", "4", "8Gi", 20, 5, "50Gi", "500m", "512Mi", "100m", "128Mi", "2", "4Gi"),
    "medium": SizeClass("8", "16Gi", "16", "32Gi", 50, 10, "200Gi", "500m", "512Mi", "100m", "128Mi", "4", "8Gi"),
    "large": SizeClass("32", "64Gi", "64", "128Gi", 150, 30, "1Ti", "1", "1Gi", "250m", "256Mi", "8", "16Gi"),
}
"""Quota per size class, per team namespace: the only place these numbers are written."""

RESERVED_NAMESPACES = frozenset(
    {
        "default",
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "platform-system",
        "monitoring",
        "external-secrets",
        "kyverno",
        "flux-system",
        "argocd",
    }
)
"""Namespaces the platform uses (plus the configured agent namespace); no team may claim them."""


class TeamConfig(Model):
    """One team on the platform: who owns it, where it runs, how big it may grow."""

    name: DnsLabel
    """Team name; names its directory (`teams/<name>/`), service accounts, AppProject and secrets prefix."""
    owners: tuple[GroupName, ...] = Field(min_length=1)
    """Identity-provider groups bound to the `edit` ClusterRole in every team namespace."""
    namespaces: tuple[DnsLabel, ...] = ()
    """The team's namespaces; the first is its home (default: one namespace named like the team)."""
    size: SizeName = "small"
    """Size class of each namespace's quota (`small`, `medium`, `large`; numbers in SIZE_CLASSES)."""
    source_repos: tuple[SourceRepoUrl, ...] = ()
    """Git repositories (http(s)://, ssh:// or `user@host:path`; no credentials, query or fragment) the team may
    deploy from besides the config repo."""
    channel: str | None = Field(default=None, min_length=1, max_length=80)
    """Chat channel for the team's failed reconciliations (needs the platform's notifications)."""

    @property
    def all_namespaces(self) -> tuple[str, ...]:
        """The team's namespaces (its name when none are listed)."""
        return self.namespaces or (self.name,)

    @property
    def home_namespace(self) -> str:
        """Where the team's own GitOps directory is applied by default."""
        return self.all_namespaces[0]

    @property
    def quota(self) -> SizeClass:
        """The numbers of the team's size class."""
        return SIZE_CLASSES[self.size]


def team_secrets_prefix(scope: str, team: str) -> str:
    """Name prefix of a team's secrets in the secrets manager: `<scope>/teams/<team>/` (scope: `secrets_scope`)."""
    return f"{scope}/teams/{team}/"


def check_teams(teams: Sequence[TeamConfig], agent_namespace: str | None) -> None:
    """Raise a ValidationError locating every duplicate name, duplicate namespace and reserved namespace."""
    reserved = RESERVED_NAMESPACES | ({agent_namespace} if agent_namespace else set())
    errors: list[InitErrorDetails] = []

    def problem(loc: tuple[int | str, ...], value: str, message: str) -> None:
        errors.append(InitErrorDetails(type=PydanticCustomError("team", message), loc=loc, input=value))

    names: dict[str, int] = {}
    owners_of: dict[str, str] = {}
    for index, team in enumerate(teams):
        if team.name in names:
            problem((index, "name"), team.name, f"team `{team.name}` is already defined at teams[{names[team.name]}]")
        names.setdefault(team.name, index)
        for position, namespace in enumerate(team.all_namespaces):
            loc: tuple[int | str, ...] = (index, "namespaces", position) if team.namespaces else (index, "name")
            if namespace in reserved:
                problem(loc, namespace, f"namespace `{namespace}` belongs to the platform")
            elif namespace in owners_of and owners_of[namespace] != team.name:
                problem(loc, namespace, f"namespace `{namespace}` already belongs to team `{owners_of[namespace]}`")
            elif namespace in owners_of:
                problem(loc, namespace, f"namespace `{namespace}` is listed twice")
            owners_of.setdefault(namespace, team.name)
    if errors:
        raise ValidationError.from_exception_data("teams", errors)
