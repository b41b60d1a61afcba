"""Karpenter in the config repo (pure): the controller chart, the `EC2NodeClass` and the `NodePool`s.

Cloud values come from the metadata contract: the cluster name (discovery tags), the node
role, the interruption queue and, under IRSA, the controller's role. The node class always
requires IMDSv2 with hop limit 1 and encrypted gp3 volumes.
"""

from __future__ import annotations

from typing import Any

from platform_kit import versions
from platform_kit.config.capacity import (
    AMI_ALIASES,
    KARPENTER_NAMESPACE,
    KARPENTER_SERVICE_ACCOUNT,
    KarpenterCapacity,
    NodePoolConfig,
)
from platform_kit.config.metadata import variable
from platform_kit.repo.services.charts import HelmChart
from platform_kit.repo.services.secrets import IRSA_ANNOTATION, ContractRef

NODE_CLASS = "default"
"""Name of the platform's EC2NodeClass."""
DISCOVERY_TAG = "karpenter.sh/discovery"
"""Subnets and security groups carrying this tag (value: the cluster name) are Karpenter's."""

CLUSTER_KINDS = (("karpenter.sh", "NodePool"), ("karpenter.k8s.aws", "EC2NodeClass"), ("karpenter.sh", "NodeClaim"))
"""Cluster-scoped kinds Karpenter's objects add (the Argo CD project must permit them)."""


def karpenter_chart(capacity: KarpenterCapacity, irsa: bool, ref: ContractRef = variable) -> HelmChart:
    """The controller (two replicas, on the system node group: the chart keeps it off Karpenter's own nodes)."""
    service_account: dict[str, Any] = {"create": True, "name": KARPENTER_SERVICE_ACCOUNT}
    if irsa:
        service_account["annotations"] = {IRSA_ANNOTATION: ref("karpenter_role_arn")}
    return HelmChart(
        release="karpenter",
        namespace=KARPENTER_NAMESPACE,
        repo_url=versions.KARPENTER_CHART_REPOSITORY,
        chart="karpenter",
        version=capacity.chart_version,
        values={
            "settings": {"clusterName": ref("cluster_name"), "interruptionQueue": ref("karpenter_queue")},
            "serviceAccount": service_account,
            "replicas": 2,
            "controller": {"resources": {"requests": {"cpu": "250m", "memory": "512Mi"}}},
        },
    )


def _volumes(capacity: KarpenterCapacity) -> list[dict[str, Any]]:
    def volume(device: str, size: int) -> dict[str, Any]:
        ebs = {"volumeSize": f"{size}Gi", "volumeType": "gp3", "encrypted": True, "deleteOnTermination": True}
        return {"deviceName": device, "ebs": ebs}

    if capacity.ami_family == "Bottlerocket":  # OS volume and data volume
        return [volume("/dev/xvda", 4), volume("/dev/xvdb", capacity.volume_size_gib)]
    return [volume("/dev/xvda", capacity.volume_size_gib)]


def node_class(capacity: KarpenterCapacity, ref: ContractRef = variable) -> dict[str, Any]:
    """The EC2NodeClass: discovered subnets and security group, IMDSv2 hop 1, encrypted gp3."""
    discovery = [{"tags": {DISCOVERY_TAG: ref("cluster_name")}}]
    return {
        "apiVersion": "karpenter.k8s.aws/v1",
        "kind": "EC2NodeClass",
        "metadata": {"name": NODE_CLASS},
        "spec": {
            "role": ref("karpenter_node_role"),
            "amiSelectorTerms": [{"alias": AMI_ALIASES[capacity.ami_family]}],
            "subnetSelectorTerms": discovery,
            "securityGroupSelectorTerms": discovery,
            "metadataOptions": {
                "httpEndpoint": "enabled",
                "httpProtocolIPv6": "disabled",
                "httpPutResponseHopLimit": 1,
                "httpTokens": "required",
            },
            "blockDeviceMappings": _volumes(capacity),
            "tags": {"platform-kit.io/environment": ref("environment")},
        },
    }


def node_pool(pool: NodePoolConfig) -> dict[str, Any]:
    """A NodePool on the platform's node class, with limits and a disruption budget."""

    def requirement(key: str, values: tuple[str, ...]) -> dict[str, Any]:
        return {"key": key, "operator": "In", "values": list(values)}

    return {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": pool.name},
        "spec": {
            "template": {
                "spec": {
                    "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": NODE_CLASS},
                    "requirements": [
                        requirement("karpenter.sh/capacity-type", pool.capacity_types),
                        requirement("karpenter.k8s.aws/instance-category", pool.instance_categories),
                        requirement("kubernetes.io/arch", pool.architectures),
                        requirement("kubernetes.io/os", ("linux",)),
                    ],
                    "expireAfter": pool.expire_after,
                }
            },
            "limits": {"cpu": str(pool.cpu_limit), "memory": f"{pool.memory_limit_gib}Gi"},
            "disruption": {
                "consolidationPolicy": pool.consolidation_policy,
                "consolidateAfter": pool.consolidate_after,
                "budgets": [{"nodes": pool.disruption_budget}],
            },
        },
    }


def karpenter_objects(capacity: KarpenterCapacity) -> list[dict[str, Any]]:
    """The node class and every NodePool (the `configs` stage: they need the chart's CRDs)."""
    return [node_class(capacity), *(node_pool(pool) for pool in capacity.node_pools)]
