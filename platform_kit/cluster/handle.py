"""ClusterHandle: the one thing every layer above the cluster receives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_kubernetes as k8s

if TYPE_CHECKING:  # typing only: an existing-cluster stack never imports pulumi_aws
    from platform_kit.aws.identity import IdentityIssuer


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
    identity: IdentityIssuer | None = None
    """How pods get cloud IAM roles (EKS: Pod Identity or IRSA); None elsewhere."""
    aws_provider: pulumi.ProviderResource | None = None
    """AWS provider (region, default tags) for the cluster's cloud-side resources; None elsewhere."""
    contract: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Metadata contract fields the cluster layer knows (EKS: VPC id, Karpenter's roles and queue)."""
