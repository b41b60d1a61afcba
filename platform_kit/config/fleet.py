"""The environment's role in a fleet, chosen by `fleet.role`: `standalone`, `hub` or `spoke`.

- `standalone` (default): one cluster, its own agent, nothing shared but the config repo.
- `hub`: an Argo CD environment whose Argo CD also manages the fleet's spokes through
  label-selecting ApplicationSets (`fleet/<name>/` in the config repo).
- `spoke`: a cluster of a fleet. With Argo CD it runs no agent of its own: its stack
  registers it on the hub (a cluster Secret carrying its metadata contract). With Flux it
  runs its own Flux from `clusters/<env>/<cluster>` of the same repo, sharing bases and
  overlays; it needs no hub.

`check_role` holds the rules one stack file can break; `check_fleet` those only a set of
stack files can (duplicate cluster names, a spoke naming a hub that is not one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Annotated, Literal, NamedTuple

from pydantic import Field, StringConstraints

from platform_kit.config.base import DnsLabel, Duration, HttpUrl, Model

if TYPE_CHECKING:
    from platform_kit.config.models import PlatformConfig

StackName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", max_length=300)
]
"""A fully qualified Pulumi stack name, `<organization>/<project>/<stack>`."""


class StandaloneRole(Model):
    """One environment on its own (the default)."""

    role: Literal["standalone"] = "standalone"
    """Selects a standalone environment."""


class HubRole(Model):
    """The fleet's hub: its Argo CD manages every spoke that registers with it."""

    role: Literal["hub"]
    """Selects a hub."""
    name: DnsLabel
    """Fleet name; spokes are registered with the label `platform-kit.io/fleet: <name>` and selected by it."""
    rollout: tuple[DnsLabel, ...] = ("dev", "staging", "prod")
    """Environments in rollout order (RollingSync steps); spokes of other environments sync last."""
    drift_threshold: Duration = "30m"
    """How long a spoke's Application may stay OutOfSync before the hub alerts."""
    not_reporting_after: Duration = "10m"
    """How long the hub may fail to reach a spoke before it alerts."""


class HubReference(Model):
    """The hub stack a spoke registers with."""

    stack: StackName
    """Fully qualified hub stack (`<org>/<project>/<stack>`); the spoke reads its outputs (StackReference)."""


class SpokeRole(Model):
    """A cluster of a fleet: managed by the hub's Argo CD, or running its own Flux from the shared repo."""

    role: Literal["spoke"]
    """Selects a spoke."""
    hub: HubReference | None = None
    """The hub that manages this spoke (required with Argo CD; Flux spokes run their own Flux and take none)."""
    api_server: HttpUrl | None = None
    """API server URL the hub reaches an existing cluster at (existing clusters only; EKS has its endpoint)."""


FleetRole = Annotated[StandaloneRole | HubRole | SpokeRole, Field(discriminator="role")]
"""Fleet roles, chosen by `role`: `standalone`, `hub` or `spoke`."""

FleetText = Annotated[str, StringConstraints(pattern=r"^(standalone|hub:[a-z0-9]([-a-z0-9]*[a-z0-9])?|spoke(:\S+)?)$")]
"""`fleet` as one string, what a `pulumi new` prompt can answer: `standalone`, `hub:<fleet name>`, `spoke`
(Flux) or `spoke:<org>/<project>/<hub stack>` (Argo CD)."""


def fleet_from_text(value: object) -> object:
    """The mapping a `FleetText` stands for (`spoke:acme/platform/hub` -> role spoke, hub stack); others as given."""
    if not isinstance(value, str):
        return value
    role, separator, argument = value.strip().partition(":")
    if role == "standalone" and not separator:
        return {"role": "standalone"}
    if role == "hub" and argument:
        return {"role": "hub", "name": argument}
    if role == "spoke":
        return {"role": "spoke", "hub": {"stack": argument}} if separator else {"role": "spoke"}
    raise ValueError(
        f"`{value}` is not a fleet role: write `standalone`, `hub:<fleet name>`, `spoke` (Flux) or "
        "`spoke:<org>/<project>/<hub stack>` (Argo CD), or a mapping with `role`"
    )


MANAGER_ACCOUNT = "argocd-manager"
"""Service account of the hub's Argo CD on an existing spoke (the name `argocd cluster add` uses)."""
MANAGER_NAMESPACE = "kube-system"
"""Namespace of `MANAGER_ACCOUNT`."""
HUB_USERNAME = "platform-kit:hub-argocd"
"""Kubernetes user name of the hub's Argo CD role on an EKS spoke (its access entry's `userName`)."""

SPOKE_ONLY_ARGOCD_KEYS = ("url", "sso", "webhook")
"""Argo CD settings of the hub's own Argo CD: a spoke managed by the hub runs none and sets none."""


def check_role(config: PlatformConfig) -> list[tuple[tuple[str | int, ...], str]]:
    """Problems of `config.fleet` against the rest of the config, each with its field path."""
    fleet, agent = config.fleet, config.gitops.agent
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(fleet, HubRole) and agent != "argocd":
        problems.append(
            (
                ("gitops", agent, "agent"),
                "a hub serves its spokes with Argo CD ApplicationSets and cluster Secrets, which Flux has no "
                "equivalent of; Flux spokes run their own Flux and need no hub (use `agent: argocd` on the hub)",
            )
        )
    if isinstance(fleet, HubRole) and getattr(config.cluster, "workload_identity", "pod-identity") != "pod-identity":
        problems.append(
            (
                ("cluster", "eks", "workloadIdentity"),
                "an EKS hub gives Argo CD its role through Pod Identity (nothing in Git names the role): "
                "use `pod-identity`",
            )
        )
    if not isinstance(fleet, SpokeRole):
        return problems
    if agent == "argocd":
        if fleet.hub is None:
            problems.append((("fleet", "spoke", "hub"), "an Argo CD spoke is managed by a hub: name its stack"))
        for key in SPOKE_ONLY_ARGOCD_KEYS:
            value = getattr(config.gitops, key)
            if key == "webhook":
                value = value.public_url
            if value is not None:
                problems.append((("gitops", "argocd", key), "a spoke runs no Argo CD of its own: set this on the hub"))
    elif fleet.hub is not None:
        problems.append(
            (("fleet", "spoke", "hub"), "a Flux spoke runs its own Flux from the config repo; it takes no hub")
        )
    if config.cluster.kind == "eks" and fleet.api_server is not None:
        problems.append((("fleet", "spoke", "apiServer"), "an EKS spoke is reached at its own endpoint: remove it"))
    if config.cluster.kind == "existing" and agent == "argocd" and fleet.api_server is None:
        problems.append(
            (("fleet", "spoke", "apiServer"), "the hub needs the URL it reaches this existing cluster's API at")
        )
    return problems


PROJECT_NAME_LIMIT = 63
"""Longest AppProject name the hub gets for a spoke's team (a DNS label, like every name Argo CD shows)."""


def spoke_team_project(cluster: str, team: str) -> str:
    """The hub's AppProject of `team` on spoke `cluster`: `<cluster>-<team>`, shortened with a hash past 63."""
    name = f"{cluster}-{team}"
    if len(name) <= PROJECT_NAME_LIMIT:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: PROJECT_NAME_LIMIT - 9].rstrip('-')}-{digest}"


def hub_team_projects(config: PlatformConfig) -> dict[str, int]:
    """AppProject name on the hub -> index in `config.teams`, for the teams of a hub or an Argo CD spoke."""
    if isinstance(config.fleet, HubRole):
        return {f"team-{team.name}": index for index, team in enumerate(config.teams)}
    if isinstance(config.fleet, SpokeRole) and config.fleet.hub is not None:
        return {spoke_team_project(config.cluster.name, team.name): i for i, team in enumerate(config.teams)}
    return {}


def hub_stack_name(reference: str) -> str:
    """The stack part of a fully qualified stack name (`acme/platform/hub` -> `hub`)."""
    return reference.rsplit("/", 1)[-1]


def reference_project(reference: str) -> str | None:
    """The project part of a fully qualified stack name (`acme/platform/hub` -> `platform`); None if not one."""
    parts = reference.split("/")
    return parts[1] if len(parts) == 3 else None


def names_hub(reference: str, hub: str, project: str) -> bool:
    """Whether a spoke's hub reference (`<org>/<project>/<stack>`) is stack `hub` of project `project`."""
    return reference_project(reference) == project and hub_stack_name(reference) == hub


class FleetProblem(NamedTuple):
    """A problem only a set of stacks shows: the stack it is reported on, the field, what, and every stack involved."""

    stack: str
    path: str
    message: str
    involves: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.stack}: {self.path}: {self.message}"


def fleet_problems(
    configs: Mapping[str, PlatformConfig], project: str | None = None, invalid: Collection[str] = ()
) -> list[FleetProblem]:
    """Problems across a set of stacks (stack name -> config): unknown hubs, duplicate cluster names per fleet.

    With `project` (the Pulumi project name), a spoke whose hub reference names another project is
    not checked against these stacks (its hub lives elsewhere); without it, only the stack part counts.
    `invalid` names stacks whose files exist but do not load: a spoke of one is not judged (its hub's
    own problems are reported instead)."""
    problems: list[FleetProblem] = []
    members: dict[str, list[tuple[str, str]]] = {}
    for stack, config in sorted(configs.items()):
        fleet = config.fleet
        if isinstance(fleet, HubRole):
            members.setdefault(stack, []).append((stack, config.cluster.name))
        elif isinstance(fleet, SpokeRole) and fleet.hub is not None:
            if project is not None and reference_project(fleet.hub.stack) != project:
                continue  # a hub of another project: its stacks are not here
            hub = hub_stack_name(fleet.hub.stack)
            if hub in invalid:
                continue
            hub_config = configs.get(hub)
            if hub_config is None or not isinstance(hub_config.fleet, HubRole):
                what = "is not a hub" if hub_config is not None else "does not exist"
                problems.append(
                    FleetProblem(
                        stack,
                        "platform.fleet.hub.stack",
                        f"`{fleet.hub.stack}` is not a hub stack here (stack `{hub}` {what})",
                        (stack,) + ((hub,) if hub_config is not None else ()),
                    )
                )
                continue
            members.setdefault(hub, []).append((stack, config.cluster.name))
        elif isinstance(fleet, SpokeRole):  # Flux spokes: one fleet per config repo
            members.setdefault(config.repo.url, []).append((stack, config.cluster.name))
    problems += _project_clashes(configs, members)
    for hub, clusters in sorted(members.items()):
        seen: dict[str, str] = {}
        for stack, name in clusters:
            if name in seen:
                problems.append(
                    FleetProblem(
                        stack,
                        "platform.cluster.name",
                        f"`{name}` is already a cluster of fleet `{hub}` (stack `{seen[name]}`); cluster names "
                        "must be unique across a fleet",
                        (stack, seen[name]),
                    )
                )
            seen.setdefault(name, stack)
    return problems


def _project_clashes(
    configs: Mapping[str, PlatformConfig], members: Mapping[str, list[tuple[str, str]]]
) -> list[FleetProblem]:
    """Team AppProjects that two stacks of one Argo CD fleet would both put on the hub (`<cluster>-<team>`)."""
    problems: list[FleetProblem] = []
    for hub, clusters in sorted(members.items()):
        if hub not in configs or not isinstance(configs[hub].fleet, HubRole):
            continue
        owners: dict[str, str] = {}
        for stack in dict.fromkeys([hub, *(stack for stack, _ in clusters)]):
            for project, index in hub_team_projects(configs[stack]).items():
                if project in owners and owners[project] != stack:
                    problems.append(
                        FleetProblem(
                            stack,
                            f"platform.teams[{index}].name",
                            f"the hub's AppProject `{project}` of this team is already the project of a team of "
                            f"stack `{owners[project]}`; rename the team (or the cluster)",
                            (stack, owners[project]),
                        )
                    )
                owners.setdefault(project, stack)
    return problems


def check_fleet(configs: Mapping[str, PlatformConfig]) -> list[str]:
    """`fleet_problems` as lines: `<stack>: <field path>: <message>`."""
    return [str(problem) for problem in fleet_problems(configs)]
