"""ExistingCluster: any cluster reachable through a kubeconfig (kind, k3d, on-prem, other clouds)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from platform_kit.cluster.handle import ClusterHandle
from platform_kit.config.models import ExistingClusterConfig
from platform_kit.naming import type_token


@dataclass(frozen=True)
class ExistingClusterArgs:
    """Inputs of ExistingCluster."""

    config: ExistingClusterConfig
    """Cluster name, kubeconfig source and context."""


def kubeconfig_value(config: ExistingClusterConfig) -> str:
    """The provider's `kubeconfig` input: the file path (read by the provider) or the content."""
    source = config.kubeconfig
    if source.content is not None:
        return source.content.get_secret_value()
    return os.path.expanduser(source.path or "")


class ExistingCluster(pulumi.ComponentResource):
    """Wraps an existing cluster in a ClusterHandle; creates only the Kubernetes provider."""

    handle: ClusterHandle

    def __init__(self, name: str, args: ExistingClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("cluster", "ExistingCluster"), name, None, opts)
        config = args.config
        kubeconfig = pulumi.Output.secret(kubeconfig_value(config))
        provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=kubeconfig,
            context=config.kubeconfig.context,
            opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["kubeconfig"]),
        )
        self.handle = ClusterHandle(
            name=config.name,
            kind=config.kind,
            provider=provider,
            kubeconfig=kubeconfig,
            region=config.region,
        )
        self.register_outputs({"clusterName": config.name, "kubeconfig": kubeconfig})
