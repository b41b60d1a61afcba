"""Pure IAM policy documents and managed-policy ARNs used by the EKS layer (no Pulumi).

Every document is a plain dict so tests parse and check it without the Pulumi runtime.
No action is `*` or `service:*`; the only `Resource: "*"` the library writes is noted
where it appears (none so far: managed policies are AWS's own).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

POLICY_VERSION = "2012-10-17"

EKS_CLUSTER_POLICIES = ("AmazonEKSClusterPolicy",)
"""Managed policies of the control-plane role."""

AUTO_MODE_CLUSTER_POLICIES = (
    *EKS_CLUSTER_POLICIES,
    "AmazonEKSComputePolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingPolicy",
)
"""Managed policies of the control-plane role of an Auto Mode cluster: one per capability it runs
(AWS EKS user guide, "Learn about identity and access in EKS Auto Mode")."""

AUTO_MODE_NODE_POLICIES = ("AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly")
"""Managed policies of Auto Mode's node role: join the cluster, pull images (the AWS-suggested pair)."""


NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly")
"""Managed policies of the node role: join the cluster and pull images; nothing else.

The VPC CNI's ENI permissions (AmazonEKS_CNI_Policy) go to the `aws-node` service
account through workload identity instead of every node.
"""

CNI_POLICY = "AmazonEKS_CNI_Policy"
"""Managed policy of the VPC CNI's own role."""

CLUSTER_ADMIN_ACCESS_POLICY = "AmazonEKSClusterAdminPolicy"
"""EKS access policy granted to the configured admin principals."""

POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
STS_AUDIENCE = "sts.amazonaws.com"


def partition(region: str) -> str:
    """AWS partition of a region (`aws`, `aws-cn`, `aws-us-gov`)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def managed_policy_arn(region: str, name: str) -> str:
    """ARN of an AWS-managed IAM policy in the region's partition."""
    return f"arn:{partition(region)}:iam::aws:policy/{name}"


def access_policy_arn(region: str, name: str) -> str:
    """ARN of an EKS cluster access policy."""
    return f"arn:{partition(region)}:eks::aws:cluster-access-policy/{name}"


def service_trust_policy(service: str, actions: tuple[str, ...] = ("sts:AssumeRole",)) -> dict[str, Any]:
    """Trust policy letting an AWS service principal assume a role."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": list(actions)}],
    }


def pod_identity_trust_policy() -> dict[str, Any]:
    """Trust policy for EKS Pod Identity (the association scopes it to one service account)."""
    return service_trust_policy(POD_IDENTITY_SERVICE, ("sts:AssumeRole", "sts:TagSession"))


def _irsa_trust(provider_arn: str, issuer_url: str, subjects: str | list[str]) -> dict[str, Any]:
    issuer = issuer_url.removeprefix("https://")
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {f"{issuer}:sub": subjects, f"{issuer}:aud": STS_AUDIENCE}},
            }
        ],
    }


def irsa_trust_policy(provider_arn: str, issuer_url: str, namespace: str, service_account: str) -> dict[str, Any]:
    """IRSA trust policy: only `system:serviceaccount:<ns>:<sa>` with the STS audience."""
    return _irsa_trust(provider_arn, issuer_url, f"system:serviceaccount:{namespace}:{service_account}")


def irsa_subjects_trust_policy(
    provider_arn: str, issuer_url: str, subjects: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """IRSA trust policy for several `(namespace, service account)` pairs (any of them) and the STS audience."""
    names = [f"system:serviceaccount:{namespace}:{account}" for namespace, account in subjects]
    return _irsa_trust(provider_arn, issuer_url, names)


def role_chaining_trust_policy(principal_arn: str) -> dict[str, Any]:
    """Trust policy letting exactly one IAM role (by ARN, same account) assume a role."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal_arn}, "Action": "sts:AssumeRole"}],
    }


def to_json(document: dict[str, Any]) -> str:
    """Compact, stable JSON of a policy document."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))
