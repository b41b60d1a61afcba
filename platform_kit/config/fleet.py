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

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Literal

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
    if agent == "argocd" and config.teams:
        problems.append((("teams",), "teams on a hub-managed spoke are not supported yet: host them on Flux spokes"))
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


def hub_stack_name(reference: str) -> str:
    """The stack part of a fully qualified stack name (`acme/platform/hub` -> `hub`)."""
    return reference.rsplit("/", 1)[-1]


def check_fleet(configs: Mapping[str, PlatformConfig]) -> list[str]:
    """Problems across a set of stacks (stack name -> config): unknown hubs, duplicate cluster names per fleet."""
    problems: list[str] = []
    members: dict[str, list[tuple[str, str]]] = {}
    for stack, config in sorted(configs.items()):
        fleet = config.fleet
        if isinstance(fleet, HubRole):
            members.setdefault(stack, []).append((stack, config.cluster.name))
        elif isinstance(fleet, SpokeRole) and fleet.hub is not None:
            hub = hub_stack_name(fleet.hub.stack)
            hub_config = configs.get(hub)
            if hub_config is None or not isinstance(hub_config.fleet, HubRole):
                problems.append(f"{stack}: platform.fleet.hub.stack: `{fleet.hub.stack}` is not a hub stack here")
                continue
            members.setdefault(hub, []).append((stack, config.cluster.name))
        elif isinstance(fleet, SpokeRole):  # Flux spokes: one fleet per config repo
            members.setdefault(config.repo.url, []).append((stack, config.cluster.name))
    for hub, clusters in sorted(members.items()):
        seen: dict[str, str] = {}
        for stack, name in clusters:
            if name in seen:
                problems.append(
                    f"{stack}: platform.cluster.name: `{name}` is already a cluster of fleet `{hub}` "
                    f"(stack `{seen[name]}`); cluster names must be unique across a fleet"
                )
            seen.setdefault(name, stack)
    return problems
