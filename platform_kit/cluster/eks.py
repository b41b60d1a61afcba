"""EksCluster: an AWS EKS cluster with secure defaults, producing the same ClusterHandle.

Control plane: API authentication mode (access entries) with no implicit creator admin,
secrets envelope-encrypted with a rotating customer-managed KMS key, every control-plane
log type, endpoint access from config (private only unless listed CIDRs are allowed).
Nodes and add-ons live in `eks_nodes.py`; with `capacity.kind: autoMode` EKS runs both (the
compute, block storage and load balancing capabilities on, a node role for the built-in node
pools, no managed node group and no EKS add-on; `platform_kit.aws.auto_mode`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pulumi_aws.cloudwatch.log_group import LogGroup  # not pulumi_aws.cloudwatch's ~100 classes (docs/architecture.md)

from platform_kit.aws.auto_mode import cluster_settings
from platform_kit.aws.identity import IdentityIssuer
from platform_kit.aws.kms import rotating_key
from platform_kit.aws.kubeconfig import eks_kubeconfig
from platform_kit.aws.network import Vpc, VpcArgs
from platform_kit.aws.policies import (
    AUTO_MODE_CLUSTER_POLICIES,
    AUTO_MODE_NODE_POLICIES,
    CLUSTER_ADMIN_ACCESS_POLICY,
    EKS_CLUSTER_POLICIES,
    STS_AUDIENCE,
    access_policy_arn,
)
from platform_kit.aws.roles import service_role
from platform_kit.cluster.eks_nodes import EksNodes, EksNodesArgs
from platform_kit.cluster.handle import ClusterHandle
from platform_kit.config.capacity import AutoModeCapacity
from platform_kit.config.eks import EksClusterConfig, NewVpc
from platform_kit.naming import type_token

CLUSTER_TAG = "platform-kit.io/cluster"
"""Default tag naming the cluster on every AWS resource."""


@dataclass(frozen=True)
class EksClusterArgs:
    """Inputs of EksCluster."""

    config: EksClusterConfig
    """Cluster, network, nodes and identity settings."""


class EksCluster(pulumi.ComponentResource):
    """A new EKS cluster, its network, nodes and core add-ons, wrapped in a ClusterHandle."""

    handle: ClusterHandle

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("cluster", "EksCluster"), name, None, opts)
        config = args.config
        auto_mode = config.capacity.kind == "autoMode"
        self.aws_provider = aws.Provider(
            f"{name}-aws",
            region=config.region,
            default_tags={"tags": {**config.tags, CLUSTER_TAG: config.name}},
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws_opts = pulumi.ResourceOptions(parent=self, provider=self.aws_provider)

        private_subnets, public_subnets = self._network(name, config, aws_opts)
        key = rotating_key(
            f"{name}-secrets-key",
            alias=f"eks/{config.name}",
            description=f"EKS secrets envelope encryption for {config.name}",
            opts=aws_opts,
        )
        log_group = LogGroup(
            f"{name}-control-plane-logs",
            name=f"/aws/eks/{config.name}/cluster",
            retention_in_days=config.log_retention_days,
            opts=aws_opts,
        )
        role, attachments = service_role(
            f"{name}-cluster",
            service="eks.amazonaws.com",
            actions=("sts:AssumeRole", "sts:TagSession"),
            managed_policies=AUTO_MODE_CLUSTER_POLICIES if auto_mode else EKS_CLUSTER_POLICIES,
            region=config.region,
            description=f"EKS control plane of {config.name}",
            opts=aws_opts,
        )
        node_role_arn = None
        if auto_mode:
            node_role, node_policies = service_role(
                f"{name}-auto-node",
                service="ec2.amazonaws.com",
                managed_policies=AUTO_MODE_NODE_POLICIES,
                region=config.region,
                description=f"nodes EKS Auto Mode launches in {config.name}",
                opts=aws_opts,
            )
            node_role_arn, attachments = node_role.arn, [*attachments, *node_policies]
        endpoint = config.endpoint
        cluster = aws.eks.Cluster(
            f"{name}-control-plane",
            name=config.name,
            version=config.version,
            role_arn=role.arn,
            vpc_config={
                "subnet_ids": private_subnets,
                "endpoint_private_access": True,
                "endpoint_public_access": endpoint.public,
                "public_access_cidrs": list(endpoint.public_cidrs) if endpoint.public else None,
            },
            access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": False},
            bootstrap_self_managed_addons=False,
            encryption_config={"resources": ["secrets"], "provider": {"key_arn": key.arn}},
            enabled_cluster_log_types=list(config.log_types),
            **cluster_settings(
                config.capacity if isinstance(config.capacity, AutoModeCapacity) else None,
                node_role_arn,
                config.service_cidr,
            ),
            deletion_protection=config.deletion_protection,
            opts=pulumi.ResourceOptions.merge(aws_opts, pulumi.ResourceOptions(depends_on=[log_group, *attachments])),
        )
        admin_grants = self._admins(name, config, cluster, aws_opts)
        issuer = self._identity_issuer(name, config, cluster, aws_opts)
        ready: list[pulumi.Output[str]] = []
        if not auto_mode:  # Auto Mode launches nodes for pending pods and runs DNS on them: nothing to wait on
            nodes = EksNodes(
                f"{name}-nodes",
                EksNodesArgs(config=config, cluster=cluster, subnet_ids=private_subnets, issuer=issuer),
                opts=aws_opts,
            )
            ready = nodes.ready

        # In-cluster resources wait for access grants, nodes and coredns through the kubeconfig.
        kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(
                cluster.name,
                cluster.endpoint,
                cluster.certificate_authority.data,
                *[grant.id for grant in admin_grants],
                *ready,
            ).apply(lambda v: eks_kubeconfig(v[0], v[1], v[2], config.region))
        )
        provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["kubeconfig"]),
        )
        contract: dict[str, pulumi.Input[str]] = {"vpc_id": cluster.vpc_config.vpc_id}
        if config.capacity.kind == "karpenter":
            from platform_kit.cluster.karpenter import KarpenterCloud, KarpenterCloudArgs

            karpenter = KarpenterCloud(
                f"{name}-karpenter",
                KarpenterCloudArgs(
                    cluster_name=config.name,
                    region=config.region,
                    cluster=cluster,
                    subnet_ids=private_subnets,
                    issuer=issuer,
                ),
                opts=aws_opts,
            )
            contract |= {
                "karpenter_role_arn": karpenter.role_arn,
                "karpenter_node_role": karpenter.node_role_name,
                "karpenter_queue": karpenter.queue_name,
            }
        self.cluster = cluster
        self.public_subnet_ids = public_subnets
        self.handle = ClusterHandle(
            name=cluster.name,
            kind="eks",
            provider=provider,
            kubeconfig=kubeconfig,
            region=config.region,
            identity=issuer,
            aws_provider=self.aws_provider,
            contract=contract,
        )
        self.register_outputs({"clusterName": cluster.name, "endpoint": cluster.endpoint, "kubeconfig": kubeconfig})

    def _network(
        self, name: str, config: EksClusterConfig, opts: pulumi.ResourceOptions
    ) -> tuple[list[pulumi.Input[str]], list[pulumi.Input[str]]]:
        network = config.network
        if isinstance(network, NewVpc):
            vpc = Vpc(f"{name}-network", VpcArgs(config=network, cluster_name=config.name), opts=opts)
            return list(vpc.private_subnet_ids), list(vpc.public_subnet_ids)
        return list(network.private_subnet_ids), list(network.public_subnet_ids)

    def _admins(
        self, name: str, config: EksClusterConfig, cluster: aws.eks.Cluster, opts: pulumi.ResourceOptions
    ) -> list[aws.eks.AccessPolicyAssociation]:
        grants = []
        for index, principal in enumerate(config.admin_principal_arns):
            entry = aws.eks.AccessEntry(
                f"{name}-admin-{index}", cluster_name=cluster.name, principal_arn=principal, type="STANDARD", opts=opts
            )
            grants.append(
                aws.eks.AccessPolicyAssociation(
                    f"{name}-admin-{index}",
                    cluster_name=cluster.name,
                    principal_arn=principal,
                    policy_arn=access_policy_arn(config.region, CLUSTER_ADMIN_ACCESS_POLICY),
                    access_scope={"type": "cluster"},
                    opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[entry])),
                )
            )
        return grants

    def _identity_issuer(
        self, name: str, config: EksClusterConfig, cluster: aws.eks.Cluster, opts: pulumi.ResourceOptions
    ) -> IdentityIssuer:
        if config.workload_identity == "pod-identity":
            return IdentityIssuer(mode="pod-identity", cluster_name=cluster.name, region=config.region)
        issuer_url = cluster.identities.apply(lambda ids: ids[0].oidcs[0].issuer)
        oidc = aws.iam.OpenIdConnectProvider(f"{name}-oidc", url=issuer_url, client_id_lists=[STS_AUDIENCE], opts=opts)
        return IdentityIssuer(
            mode="irsa",
            cluster_name=cluster.name,
            region=config.region,
            oidc_provider_arn=oidc.arn,
            oidc_issuer_url=issuer_url,
        )
