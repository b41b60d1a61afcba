"""ClusterHandle: the one thing every layer above the cluster receives."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s


@dataclass(frozen=True)
class ClusterHandle:
    """A reachable cluster: its Kubernetes provider and the facts the metadata contract needs."""

    name: pulumi.Input[str]
    """Cluster name."""
    kind: str
    """How the cluster was provided: `existing` or `eks`."""
    provider: k8s.Provider
    """Kubernetes provider for every in-cluster resource Pulumi creates."""
    kubeconfig: pulumi.Output[str]
    """Kubeconfig (or its path), always a Pulumi secret."""
    region: pulumi.Input[str] | None = None
    """Cloud region, when the cluster has one."""
