"""Render the config repo for one environment: pure, no Pulumi, no Git, no cluster.

`render_config_repo(config) -> [Manifest(path, content)]` picks the layout of the
configured GitOps agent. Shared directories render identically for every environment,
so whichever environment seeds first, the others find the same files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from platform_kit.config.models import PlatformConfig
from platform_kit.repo.argocd_repo import render_argocd_repo
from platform_kit.repo.flux_repo import render_flux_repo
from platform_kit.repo.manifest import Manifest

LAYOUTS: dict[str, Callable[[PlatformConfig], list[Manifest]]] = {
    "flux": render_flux_repo,
    "argocd": render_argocd_repo,
}
"""Repo layout per `gitops.agent`."""


def render_config_repo(config: PlatformConfig) -> list[Manifest]:
    """Every file of the seed for `config`'s environment, sorted by path."""
    files = LAYOUTS[config.gitops.agent](config)
    duplicates = sorted(path for path, count in Counter(m.path for m in files).items() if count > 1)
    if duplicates:
        raise ValueError(f"render produced duplicate paths: {duplicates}")
    return sorted(files)
