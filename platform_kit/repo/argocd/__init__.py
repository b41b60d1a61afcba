"""Argo CD's layout of the config repo (pure): app-of-apps layers in sync waves, charts as
Applications, the Pulumi-owned root's patches, team projects and ApplicationSets, notifications
and Argo CD's own monitoring. `argocd_layout(config)` picks the layout of the environment's fleet role:
`ArgoCdLayout` (standalone), `HubLayout` (adds the hub's `fleet/<name>/`) or `SpokeLayout` (no Argo CD of
its own: the hub's ApplicationSets apply its seed)."""

from __future__ import annotations

from platform_kit.config.models import PlatformConfig
from platform_kit.repo.argocd.fleet_hub import HubLayout
from platform_kit.repo.argocd.fleet_spoke import SpokeLayout
from platform_kit.repo.argocd.layout import ArgoCdLayout
from platform_kit.repo.manifest import Manifest

__all__ = ["ArgoCdLayout", "HubLayout", "SpokeLayout", "argocd_layout", "render_argocd_repo"]


def argocd_layout(config: PlatformConfig) -> ArgoCdLayout:
    """The Argo CD layout of `config`'s fleet role."""
    if config.fleet.role == "hub":
        return HubLayout(config)
    if config.fleet.role == "spoke":
        return SpokeLayout(config)
    return ArgoCdLayout(config)


def render_argocd_repo(config: PlatformConfig) -> list[Manifest]:
    """Every file of the Argo CD seed for the environment (unsorted), whatever its fleet role."""
    return argocd_layout(config).render()
