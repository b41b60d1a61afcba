"""HelmChart: an agent-neutral description of a chart install."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HelmChart:
    """One Helm release the config repo installs."""

    release: str
    """Release name (also the HelmRelease / Application name)."""
    namespace: str
    """Namespace the chart installs into."""
    repo_url: str
    """Chart repository (`https://...`)."""
    chart: str
    """Chart name in the repository."""
    version: str
    """Pinned chart version."""
    values: dict[str, Any] = field(default_factory=dict)
    """Helm values."""
    create_namespace: bool = True
    """Whether the install creates its namespace (False when Pulumi owns it)."""
    other_namespaces: tuple[str, ...] = ()
    """Namespaces besides `namespace` the chart renders objects into (Argo CD's project must permit them)."""

    @property
    def oci(self) -> bool:
        """Whether the chart comes from an OCI registry (`oci://...`)."""
        return self.repo_url.startswith("oci://")

    @property
    def helm_repo_url(self) -> str:
        """The repository as Argo CD's Helm source names it (OCI registries without the `oci://` scheme)."""
        return self.repo_url.removeprefix("oci://")
