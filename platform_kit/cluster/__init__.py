"""Cluster components; each produces the same ClusterHandle.

`EksCluster` loads on first use (PEP 562), so programs on existing clusters never import pulumi_aws.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from platform_kit.cluster.existing import ExistingCluster, ExistingClusterArgs
from platform_kit.cluster.handle import ClusterHandle

if TYPE_CHECKING:
    from platform_kit.cluster.eks import EksCluster, EksClusterArgs

__all__ = ["ClusterHandle", "EksCluster", "EksClusterArgs", "ExistingCluster", "ExistingClusterArgs"]


def __getattr__(name: str) -> Any:
    if name in ("EksCluster", "EksClusterArgs"):
        return getattr(import_module("platform_kit.cluster.eks"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
