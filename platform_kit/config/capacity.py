"""How an EKS cluster gets its worker capacity (`cluster.capacity`).

- `nodeGroups` (default): the managed node groups under `cluster.nodeGroups`, nothing else.
- `karpenter`: `cluster.nodeGroups` is the small system group the controller runs on;
  Karpenter launches every other node from the `NodePool`s listed here (delivered through
  GitOps, with its `EC2NodeClass`), and Pulumi creates its cloud side (controller role,
  node role and access entry, interruption queue, discovery tags).
- `autoMode`: EKS Auto Mode manages the nodes; the built-in node pools listed here run
  them with a node role Pulumi creates. `cluster.nodeGroups` stays empty: Auto Mode runs
  every node and the networking, DNS, storage and identity agents on them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from platform_kit import versions
from platform_kit.config.base import DnsLabel, Model

KarpenterCapacityType = Literal["spot", "on-demand"]
"""Karpenter's `karpenter.sh/capacity-type` values."""

KarpenterDuration = Annotated[str, StringConstraints(pattern=r"^([0-9]+(s|m|h))+$")]
"""A duration as Karpenter's CRDs accept it (`30s`, `1m`, `720h`; whole units only)."""

Percentage = Annotated[str, StringConstraints(pattern=r"^(100|[1-9]?[0-9])%$|^[0-9]+$")]
"""A disruption budget: a number of nodes (`2`) or a percentage (`10%`)."""

KARPENTER_NAMESPACE = "karpenter"
"""Namespace of the Karpenter controller (created by its chart install)."""
KARPENTER_SERVICE_ACCOUNT = "karpenter"
"""Service account of the controller, the one its IAM role trusts."""

AMI_ALIASES = {"AL2023": "al2023@latest", "Bottlerocket": "bottlerocket@latest"}
"""`amiSelectorTerms` alias of each AMI family (Karpenter v1)."""

ROOT_DEVICES = {"AL2023": "/dev/xvda", "Bottlerocket": "/dev/xvdb"}
"""Device of the data/root volume Karpenter should size and encrypt, per AMI family (Bottlerocket's is xvdb)."""


class NodeGroupsCapacity(Model):
    """Managed node groups only (`cluster.nodeGroups`): today's behaviour."""

    kind: Literal["nodeGroups"]
    """Selects managed node groups."""


class NodePoolConfig(Model):
    """One Karpenter `NodePool`: what it may launch, how much, and how fast it may replace nodes."""

    name: DnsLabel
    """NodePool name."""
    capacity_types: tuple[KarpenterCapacityType, ...] = Field(default=("on-demand",), min_length=1)
    """Spot, on-demand or both (Karpenter prefers spot when both are allowed)."""
    instance_categories: tuple[Annotated[str, StringConstraints(pattern=r"^[a-z]{1,4}$")], ...] = ("c", "m", "r")
    """EC2 instance categories (`c`, `m`, `r`, ...)."""
    architectures: tuple[Literal["amd64", "arm64"], ...] = Field(default=("amd64",), min_length=1)
    """CPU architectures."""
    cpu_limit: int = Field(default=64, ge=1, le=100_000)
    """Most vCPUs the pool may hold in total (`spec.limits.cpu`): a pool without limits can grow without bound."""
    memory_limit_gib: int = Field(default=256, ge=1, le=1_000_000)
    """Most memory the pool may hold in total, in GiB (`spec.limits.memory`)."""
    consolidation_policy: Literal["WhenEmpty", "WhenEmptyOrUnderutilized"] = "WhenEmptyOrUnderutilized"
    """Which nodes Karpenter may consolidate away."""
    consolidate_after: KarpenterDuration = "1m"
    """How long a node must be consolidatable before Karpenter acts."""
    disruption_budget: Percentage = "10%"
    """At most this many nodes (or percent of the pool) disrupted at once, voluntarily."""
    expire_after: KarpenterDuration = "720h"
    """Replace nodes older than this (picks up new AMIs)."""


class KarpenterCapacity(Model):
    """Karpenter launches the nodes; `cluster.nodeGroups` is the system group it runs on."""

    kind: Literal["karpenter"]
    """Selects Karpenter."""
    ami_family: Literal["AL2023", "Bottlerocket"] = "AL2023"
    """Node operating system of the `EC2NodeClass` (always the latest EKS-optimised AMI of the family)."""
    volume_size_gib: int = Field(default=50, ge=20, le=16384)
    """Root volume of Karpenter's nodes (gp3, encrypted)."""
    node_pools: tuple[NodePoolConfig, ...] = Field(default=(NodePoolConfig(name="general"),), min_length=1)
    """NodePools (at least one), all using the platform's `EC2NodeClass`."""
    chart_version: str = versions.KARPENTER_CHART_VERSION
    """karpenter Helm chart version (also the controller's version)."""

    @field_validator("node_pools")
    @classmethod
    def _distinct_pools(cls, pools: tuple[NodePoolConfig, ...]) -> tuple[NodePoolConfig, ...]:
        names = [pool.name for pool in pools]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate NodePool names: {', '.join(duplicates)}")
        return pools


AUTO_MODE_STORAGE_PROVISIONER = "ebs.csi.eks.amazonaws.com"
"""Provisioner of Auto Mode's block storage capability (not the EBS CSI add-on's `ebs.csi.aws.com`)."""
AUTO_MODE_ALB_CONTROLLER = "eks.amazonaws.com/alb"
"""IngressClass controller of Auto Mode's load balancing capability."""


class AutoModeCapacity(Model):
    """EKS Auto Mode: EKS runs the nodes, compute, block storage and load balancing capabilities."""

    kind: Literal["autoMode"]
    """Selects EKS Auto Mode."""
    node_pools: tuple[Literal["general-purpose", "system"], ...] = Field(
        default=("general-purpose", "system"), min_length=1
    )
    """Built-in node pools to enable (they run on the node role Pulumi creates)."""
    ingress_scheme: Literal["internal", "internet-facing"] = "internal"
    """Scheme of the ALBs the default `alb` IngressClass creates (internal unless opened on purpose)."""

    @field_validator("node_pools")
    @classmethod
    def _distinct_pools(cls, pools: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(pools)) != len(pools):
            raise ValueError("each built-in node pool at most once")
        return pools


Capacity = Annotated[NodeGroupsCapacity | KarpenterCapacity | AutoModeCapacity, Field(discriminator="kind")]
"""Where an EKS cluster's nodes come from."""
