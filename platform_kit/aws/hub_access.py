"""The hub's Argo CD identity and its grants on spokes (EKS), without long-lived tokens.

The hub's Argo CD gets one IAM role through EKS Pod Identity (a role trusted only by
`pods.eks.amazonaws.com`, associated with the Argo CD service accounts that talk to
clusters). The role has no permission policy: Argo CD's `argocd-k8s-auth aws` presigns
`sts:GetCallerIdentity`, which needs none. Each EKS spoke grants that role access to
itself, and only itself, through an access entry and an access policy association scoped
to the spoke cluster; so the hub role reaches exactly the clusters registered with it,
and deregistering a spoke (`pulumi destroy`) removes its grant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from platform_kit.aws.policies import CLUSTER_ADMIN_ACCESS_POLICY, access_policy_arn, pod_identity_trust_policy, to_json
from platform_kit.config.fleet import HUB_USERNAME
from platform_kit.naming import type_token

ARGOCD_CLUSTER_CLIENTS = ("argocd-application-controller", "argocd-server", "argocd-applicationset-controller")
"""Argo CD service accounts that connect to managed clusters (controller, UI/API, cluster generator checks)."""


@dataclass(frozen=True)
class HubArgoCdRoleArgs:
    """Inputs of HubArgoCdRole."""

    cluster_name: pulumi.Input[str]
    """The hub's EKS cluster (Pod Identity associations)."""
    namespace: str
    """Argo CD's namespace on the hub."""
    service_accounts: Sequence[str] = ARGOCD_CLUSTER_CLIENTS
    """Service accounts that get the role."""


class HubArgoCdRole(pulumi.ComponentResource):
    """The IAM role the hub's Argo CD uses on EKS spokes (Pod Identity; no permission policy)."""

    role_arn: pulumi.Output[str]
    """ARN of the role (exported by the hub for its spokes' access entries)."""

    def __init__(self, name: str, args: HubArgoCdRoleArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("aws", "HubArgoCdRole"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=to_json(pod_identity_trust_policy()),
            description="Argo CD of the fleet hub: reaches spokes through their EKS access entries",
            opts=child,
        )
        for account in args.service_accounts:
            aws.eks.PodIdentityAssociation(
                f"{name}-{account}",
                cluster_name=args.cluster_name,
                namespace=args.namespace,
                service_account=account,
                role_arn=role.arn,
                opts=child,
            )
        self.role_arn = role.arn
        self.register_outputs({"roleArn": role.arn})


@dataclass(frozen=True)
class SpokeAccessArgs:
    """Inputs of SpokeAccess."""

    cluster_name: pulumi.Input[str]
    """The spoke's EKS cluster."""
    region: str
    """The spoke's region (partition of the access policy ARN)."""
    hub_role_arn: pulumi.Input[str]
    """The hub's Argo CD role."""


class SpokeAccess(pulumi.ComponentResource):
    """The hub's Argo CD role granted on one spoke cluster: an access entry and a cluster-scoped policy."""

    grant: aws.eks.AccessPolicyAssociation
    """The policy association; the cluster Secret on the hub waits for it."""

    def __init__(self, name: str, args: SpokeAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("aws", "SpokeAccess"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        entry = aws.eks.AccessEntry(
            f"{name}-entry",
            cluster_name=args.cluster_name,
            principal_arn=args.hub_role_arn,
            type="STANDARD",
            user_name=HUB_USERNAME,  # a fixed user the spoke's team guardrails can name (docs/fleets.md)
            opts=child,
        )
        self.grant = aws.eks.AccessPolicyAssociation(
            f"{name}-policy",
            cluster_name=args.cluster_name,
            principal_arn=args.hub_role_arn,
            policy_arn=access_policy_arn(args.region, CLUSTER_ADMIN_ACCESS_POLICY),
            access_scope={"type": "cluster"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]),
        )
        self.register_outputs({})
