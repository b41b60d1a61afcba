"""Workload identity: give one Kubernetes service account an IAM role.

EKS Pod Identity by default (a role trusted by `pods.eks.amazonaws.com` plus an
association naming the namespace and service account); IRSA as a switch (a role
trusted by the cluster's OIDC provider for exactly `system:serviceaccount:<ns>:<sa>`
and the `sts.amazonaws.com` audience). Later services call `WorkloadIdentity`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from platform_kit.aws.policies import irsa_trust_policy, pod_identity_trust_policy, to_json
from platform_kit.naming import type_token


@dataclass(frozen=True)
class IdentityIssuer:
    """What a cluster offers for workload identity (carried in the ClusterHandle)."""

    mode: Literal["pod-identity", "irsa"]
    """Pod Identity or IRSA."""
    cluster_name: pulumi.Input[str]
    """EKS cluster name (for Pod Identity associations)."""
    region: str
    """Region of the cluster (selects the partition of managed-policy ARNs)."""
    oidc_provider_arn: pulumi.Input[str] | None = None
    """IAM OIDC provider ARN (IRSA only)."""
    oidc_issuer_url: pulumi.Input[str] | None = None
    """Cluster OIDC issuer URL (IRSA only)."""


@dataclass(frozen=True)
class WorkloadIdentityArgs:
    """Inputs of WorkloadIdentity."""

    issuer: IdentityIssuer
    """The cluster's identity mechanism."""
    namespace: str
    """Namespace of the service account."""
    service_account: str
    """Service account name."""
    policy_json: pulumi.Input[str] | None = None
    """Inline least-privilege policy document (JSON)."""
    managed_policy_arns: Sequence[str] = field(default_factory=tuple)
    """AWS-managed policies to attach."""
    associate: bool = True
    """Create the Pod Identity association here (False when an EKS add-on creates its own)."""


class WorkloadIdentity(pulumi.ComponentResource):
    """An IAM role usable only by one service account, and its Pod Identity association."""

    role_arn: pulumi.Output[str]
    """ARN of the role."""

    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("aws", "WorkloadIdentity"), name, None, opts)
        issuer = args.issuer
        child = pulumi.ResourceOptions(parent=self)
        if issuer.mode == "irsa":
            if issuer.oidc_provider_arn is None or issuer.oidc_issuer_url is None:
                raise ValueError("IRSA needs the cluster's OIDC provider ARN and issuer URL")
            trust = pulumi.Output.all(issuer.oidc_provider_arn, issuer.oidc_issuer_url).apply(
                lambda v: to_json(irsa_trust_policy(v[0], v[1], args.namespace, args.service_account))
            )
        else:
            trust = to_json(pod_identity_trust_policy())
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=trust,
            description=f"workload identity of {args.namespace}/{args.service_account}",
            opts=child,
        )
        if args.policy_json is not None:
            aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=args.policy_json, opts=child)
        for index, policy_arn in enumerate(args.managed_policy_arns):
            aws.iam.RolePolicyAttachment(f"{name}-managed-{index}", role=role.name, policy_arn=policy_arn, opts=child)
        if issuer.mode == "pod-identity" and args.associate:
            aws.eks.PodIdentityAssociation(
                f"{name}-association",
                cluster_name=issuer.cluster_name,
                namespace=args.namespace,
                service_account=args.service_account,
                role_arn=role.arn,
                opts=child,
            )
        self.role_arn = role.arn
        self.register_outputs({"roleArn": role.arn})
