"""The one place that picks the GitOps agent component for `gitops.agent`."""

from __future__ import annotations

import pulumi

from platform_kit.config.gitops import FluxConfig
from platform_kit.gitops.agent import AgentArgs, GitOpsAgent


def build_agent(name: str, args: AgentArgs, opts: pulumi.ResourceOptions) -> GitOpsAgent:
    """The agent component for `config.gitops.agent` (each agent's module is imported only when chosen)."""
    if isinstance(args.config.gitops, FluxConfig):
        from platform_kit.gitops.flux import FluxAgent

        return FluxAgent(name, args, opts=opts)
    from platform_kit.gitops.argocd import ArgoCdAgent

    return ArgoCdAgent(name, args, opts=opts)
