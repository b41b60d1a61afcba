"""Argo CD's layout of the config repo (pure): app-of-apps layers in sync waves, charts as
Applications, the Pulumi-owned root's patches, team projects and ApplicationSets, notifications
and Argo CD's own monitoring. `ArgoCdLayout` is the entry point."""

from platform_kit.repo.argocd.layout import ArgoCdLayout, render_argocd_repo

__all__ = ["ArgoCdLayout", "render_argocd_repo"]
