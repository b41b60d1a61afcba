"""Flux's layout of the config repo (pure): Flux objects, the Flux Operator, charts as HelmReleases,
notifications, team tenants and Flux's own monitoring. `FluxLayout` is the entry point."""

from platform_kit.repo.flux.layout import FluxLayout, render_flux_repo

__all__ = ["FluxLayout", "render_flux_repo"]
