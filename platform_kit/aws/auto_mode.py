"""EKS Auto Mode's settings on the cluster itself (pure: plain dicts, tested without Pulumi).

Auto Mode is three capabilities that AWS requires on or off together in one request
(compute, block storage, load balancing; EKS API `CreateCluster`/`UpdateClusterConfig`).
The built-in node pools run with the node role named in the compute config; EKS creates
that role's `EC2` access entry (access policy `AmazonEKSAutoNodePolicy`) itself when it
creates the cluster, so the platform creates none (a second one would be refused).
"""

from __future__ import annotations

from typing import Any

from platform_kit.config.capacity import AutoModeCapacity


def cluster_settings(capacity: AutoModeCapacity | None, node_role_arn: Any, service_cidr: str) -> dict[str, Any]:
    """`aws.eks.Cluster` arguments: the service CIDR, and with Auto Mode its three capabilities and node pools."""
    network: dict[str, Any] = {"service_ipv4_cidr": service_cidr}
    if capacity is None:
        return {"kubernetes_network_config": network}
    return {
        "compute_config": {
            "enabled": True,
            "node_pools": list(capacity.node_pools),
            "node_role_arn": node_role_arn,
        },
        "storage_config": {"block_storage": {"enabled": True}},
        "kubernetes_network_config": {**network, "elastic_load_balancing": {"enabled": True}},
    }
