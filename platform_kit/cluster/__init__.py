"""Cluster components; each produces the same ClusterHandle."""

from platform_kit.cluster.existing import ExistingCluster, ExistingClusterArgs
from platform_kit.cluster.handle import ClusterHandle

__all__ = ["ClusterHandle", "ExistingCluster", "ExistingClusterArgs"]
