"""EksNodes: managed node groups and the core EKS add-ons of an EKS cluster.

Order: vpc-cni, kube-proxy and eks-pod-identity-agent first (nodes need networking
and credentials to become Ready), then the node groups, then coredns (a Deployment
that would otherwise wait on a cluster with no nodes). The VPC CNI runs its network
policy agent: without it the teams' and the platform's NetworkPolicies are not enforced.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from platform_kit.aws.identity import IdentityIssuer, WorkloadIdentity, WorkloadIdentityArgs
from platform_kit.aws.policies import CNI_POLICY, NODE_POLICIES, managed_policy_arn
from platform_kit.aws.roles import service_role
from platform_kit.config.eks import EksClusterConfig, NodeGroupConfig
from platform_kit.naming import type_token

VPC_CNI_CONFIGURATION = {"enableNetworkPolicy": "true"}
"""The vpc-cni add-on's configuration values: enforce NetworkPolicies (the node agent; off by default)."""
ROOT_DEVICE = "/dev/xvda"
"""Root volume device of the EKS-optimised Amazon Linux AMIs."""


@dataclass(frozen=True)
class EksNodesArgs:
    """Inputs of EksNodes."""

    config: EksClusterConfig
    """Node groups, add-on versions and identity mode."""
    cluster: aws.eks.Cluster
    """The control plane."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets for the nodes."""
    issuer: IdentityIssuer
    """Workload identity of the cluster (the VPC CNI gets its own role through it)."""


def launch_template_args(group: NodeGroupConfig, tags: dict[str, str]) -> dict:
    """Launch template settings: IMDSv2 only with hop limit 1, encrypted gp3 root volume, tagged."""
    return {
        "metadata_options": {
            "http_endpoint": "enabled",
            "http_tokens": "required",
            "http_put_response_hop_limit": 1,
            "instance_metadata_tags": "disabled",
        },
        "block_device_mappings": [
            {
                "device_name": ROOT_DEVICE,
                "ebs": {
                    "volume_size": group.disk_size_gib,
                    "volume_type": "gp3",
                    "encrypted": "true",
                    "delete_on_termination": "true",
                },
            }
        ],
        "tag_specifications": [
            {"resource_type": "instance", "tags": tags},
            {"resource_type": "volume", "tags": tags},
        ],
        "update_default_version": True,
    }


class EksNodes(pulumi.ComponentResource):
    """Node role, launch templates, managed node groups and core add-ons."""

    ready: list[pulumi.Output[str]]
    """IDs that resolve once every node group and coredns exist."""

    def __init__(self, name: str, args: EksNodesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("cluster", "EksNodes"), name, None, opts)
        config, cluster = args.config, args.cluster
        child = pulumi.ResourceOptions(parent=self)
        versions = config.addons

        pod_identity_agent = self._addon(name, cluster, "eks-pod-identity-agent", versions.pod_identity_agent, child)
        cni_identity = WorkloadIdentity(
            f"{name}-vpc-cni",
            WorkloadIdentityArgs(
                issuer=args.issuer,
                namespace="kube-system",
                service_account="aws-node",
                managed_policy_arns=[managed_policy_arn(config.region, CNI_POLICY)],
                associate=False,  # the add-on creates its own association
            ),
            opts=child,
        )
        if args.issuer.mode == "pod-identity":
            cni_access = {
                "pod_identity_associations": [{"role_arn": cni_identity.role_arn, "service_account": "aws-node"}]
            }
            cni_after = [pod_identity_agent]
        else:
            cni_access = {"service_account_role_arn": cni_identity.role_arn}
            cni_after = []
        vpc_cni = self._addon(
            name,
            cluster,
            "vpc-cni",
            versions.vpc_cni,
            child,
            depends_on=cni_after,
            configuration_values=json.dumps(VPC_CNI_CONFIGURATION),
            **cni_access,
        )
        kube_proxy = self._addon(name, cluster, "kube-proxy", versions.kube_proxy, child)

        node_role, node_policies = service_role(
            f"{name}-node",
            service="ec2.amazonaws.com",
            managed_policies=NODE_POLICIES,
            region=config.region,
            description=f"EKS nodes of {config.name}",
            opts=child,
        )
        groups = [
            self._node_group(
                name,
                config,
                cluster,
                group,
                node_role,
                args.subnet_ids,
                [vpc_cni, kube_proxy, pod_identity_agent, *node_policies],
            )
            for group in config.node_groups
        ]
        coredns = self._addon(name, cluster, "coredns", versions.coredns, child, depends_on=groups)
        self.node_groups = groups
        self.addons = {
            "vpc-cni": vpc_cni,
            "kube-proxy": kube_proxy,
            "eks-pod-identity-agent": pod_identity_agent,
            "coredns": coredns,
        }
        self.ready = [group.id for group in groups] + [coredns.id]
        self.register_outputs({"nodeGroups": [g.node_group_name for g in groups]})

    def _addon(
        self,
        name: str,
        cluster: aws.eks.Cluster,
        addon: str,
        version: str | None,
        opts: pulumi.ResourceOptions,
        depends_on: Sequence[pulumi.Resource] = (),
        **extra,
    ) -> aws.eks.Addon:
        return aws.eks.Addon(
            f"{name}-{addon}",
            cluster_name=cluster.name,
            addon_name=addon,
            addon_version=version,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=list(depends_on))),
            **extra,
        )

    def _node_group(
        self,
        name: str,
        config: EksClusterConfig,
        cluster: aws.eks.Cluster,
        group: NodeGroupConfig,
        role: aws.iam.Role,
        subnet_ids: Sequence[pulumi.Input[str]],
        after: list[pulumi.Resource],
    ) -> aws.eks.NodeGroup:
        aws_name = f"{config.name}-{group.name}"
        template = aws.ec2.LaunchTemplate(
            f"{name}-{group.name}",
            description=f"EKS node group {aws_name}",
            opts=pulumi.ResourceOptions(parent=self),
            **launch_template_args(group, {**config.tags, "Name": aws_name}),
        )
        return aws.eks.NodeGroup(
            f"{name}-{group.name}",
            cluster_name=cluster.name,
            node_group_name=aws_name,
            version=config.version,
            node_role_arn=role.arn,
            subnet_ids=list(subnet_ids),
            instance_types=list(group.instance_types),
            capacity_type=group.capacity_type,
            ami_type=group.ami_type,
            scaling_config={"min_size": group.min_size, "desired_size": group.desired_size, "max_size": group.max_size},
            update_config={"max_unavailable": 1},
            labels=dict(group.labels) or None,
            taints=[{"key": t.key, "value": t.value, "effect": t.effect} for t in group.taints] or None,
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            # Cluster autoscalers own the desired size after creation.
            opts=pulumi.ResourceOptions(parent=self, depends_on=after, ignore_changes=["scalingConfig.desiredSize"]),
        )
