"""What an inflation is made of: Pulumi's bootstrap, the sources found and the objects each lands.

`Bootstrap` is the input (objects and charts Pulumi applies), `Inflation` the result: every `Source`
(Pulumi, a Flux Kustomization or HelmRelease, an Argo CD Application or ApplicationSet) with its
inflated objects, the server they land on, and what could not be inflated offline.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from platform_kit.inflate.charts import ChartRef
from platform_kit.inflate.scope import Scopes


class InflationError(Exception):
    """The config repo cannot be built the way the agent would build it (a kustomize or chart error)."""


@dataclass(frozen=True)
class HelmInstall:
    """A chart Pulumi installs itself (a `helm.v3.Release`)."""

    chart: ChartRef
    """The chart and version."""
    release: str
    """Helm release name."""
    namespace: str
    """Namespace of the release."""
    values: dict[str, Any]
    """Values Pulumi passes."""


@dataclass(frozen=True)
class Bootstrap:
    """What Pulumi puts on the cluster before the agent takes over."""

    objects: list[dict[str, Any]]
    """Objects Pulumi applies (secret values masked)."""
    charts: list[HelmInstall] = field(default_factory=list)
    """Charts Pulumi installs."""


@dataclass
class Source:
    """One unit that lands objects on the cluster: Pulumi, a Kustomization, a HelmRelease or an Application."""

    applier: str
    """Who applies it: `pulumi`, `flux` or `argocd`."""
    kind: str
    """`objects`, `helm.v3.Release`, `Kustomization`, `HelmRelease` or `Application`."""
    name: str
    """Name of the sync object (or of the Pulumi release)."""
    namespace: str
    """Namespace its namespaced objects land in when they name none."""
    objects: list[dict[str, Any]]
    """The fully inflated objects."""
    project: str | None = None
    """Argo CD AppProject that deploys it."""
    chart: ChartRef | None = None
    """The chart, for chart sources."""
    missing_subcharts: list[str] = field(default_factory=list)
    """Enabled chart dependencies absent from the store (their objects are not here)."""
    server: str = ""
    """API server its objects land on: "" for the environment's own cluster, else an Argo CD
    Application's remote destination (a spoke of a hub)."""

    @property
    def label(self) -> str:
        """`<applier> <kind>/<name>`, for reports."""
        return f"{self.applier} {self.kind}/{self.name}"


@dataclass
class Inflation:
    """Every object one environment lands on the cluster, grouped by the source that applies it."""

    sources: list[Source]
    """In the order they were found (bootstrap first, then depth-first through sync objects)."""
    not_inflated: list[str]
    """What could not be expanded offline, one sentence each."""
    undefined_variables: dict[str, list[str]]
    """Flux sources whose substitution met variables without a value (Flux makes them empty)."""
    scopes: Scopes
    """Cluster-scoped kinds, learned from the built CRDs too."""
    not_inflated_on: dict[str, list[str]] = field(default_factory=dict)
    """The lines of `not_inflated` about what an Application would land on a remote server, by server."""

    def objects(self) -> Iterator[tuple[Source, dict[str, Any]]]:
        """Every (source, object) pair."""
        for source in self.sources:
            for obj in source.objects:
                yield source, obj

    def object_count(self) -> int:
        """Number of inflated objects."""
        return sum(len(source.objects) for source in self.sources)

    def servers(self) -> list[str]:
        """The remote API servers some source lands objects on (a hub's spokes), in order of appearance."""
        return list(dict.fromkeys(source.server for source in self.sources if source.server))

    def on(self, server: str) -> Inflation:
        """The sources that land objects on `server` ("" for the environment's own cluster); the same
        not-inflated list, undefined variables and scopes."""
        sources = [source for source in self.sources if source.server == server]
        remote = {line for lines in self.not_inflated_on.values() for line in lines}
        if server:
            not_inflated = list(self.not_inflated_on.get(server, []))
        else:
            not_inflated = [line for line in self.not_inflated if line not in remote]
        undefined = self.undefined_variables if not server else {}
        return Inflation(sources, not_inflated, undefined, self.scopes, {server: not_inflated} if server else {})
