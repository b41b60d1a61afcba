"""Render the config repo for one environment: pure, no Pulumi, no Git, no cluster.

`render_config_repo(config) -> [Manifest(path, content)]` lays the repo out for the
configured GitOps agent; `agent_layout` is the one place that picks the agent's package.
Shared directories render identically for every environment, so whichever environment
seeds first, the others find the same files.
"""

from __future__ import annotations

from collections import Counter

from platform_kit.config.gitops import FluxConfig
from platform_kit.config.models import PlatformConfig
from platform_kit.repo.agent import AgentLayout
from platform_kit.repo.argocd import argocd_layout
from platform_kit.repo.flux import FluxLayout
from platform_kit.repo.manifest import Manifest


def agent_layout(config: PlatformConfig) -> AgentLayout:
    """The layout of `config.gitops.agent` for this environment (Argo CD's by fleet role)."""
    if isinstance(config.gitops, FluxConfig):
        return FluxLayout(config)
    return argocd_layout(config)


def render_config_repo(config: PlatformConfig) -> list[Manifest]:
    """Every file of the seed for `config`'s environment, sorted by path."""
    files = agent_layout(config).render()
    duplicates = sorted(path for path, count in Counter(m.path for m in files).items() if count > 1)
    if duplicates:
        raise ValueError(f"render produced duplicate paths: {duplicates}")
    return sorted(files)
