"""KarpenterCloud: what Karpenter needs from AWS before GitOps installs it.

The controller's role (workload identity for `karpenter/karpenter`, the scoped policy of
`platform_kit.aws.karpenter`), the role of the nodes it launches with an `EC2_LINUX` access
entry, the SQS interruption queue (SSE, HTTPS only) fed by four EventBridge rules, and the
`karpenter.sh/discovery` tag on the private subnets and the cluster security group. The
controller, its `EC2NodeClass` and `NodePool`s come from the config repo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pulumi_aws.cloudwatch.event_rule import EventRule  # class modules: cloudwatch/sqs load ~50 classes each
from pulumi_aws.cloudwatch.event_target import EventTarget
from pulumi_aws.sqs.queue import Queue
from pulumi_aws.sqs.queue_policy import QueuePolicy

from platform_kit.aws.identity import IdentityIssuer, WorkloadIdentity, WorkloadIdentityArgs
from platform_kit.aws.karpenter import (
    DISCOVERY_TAG,
    INTERRUPTION_EVENTS,
    QUEUE_RETENTION_SECONDS,
    controller_policy,
    interruption_queue_policy,
)
from platform_kit.aws.policies import NODE_POLICIES, to_json
from platform_kit.aws.roles import service_role
from platform_kit.config.capacity import KARPENTER_NAMESPACE, KARPENTER_SERVICE_ACCOUNT
from platform_kit.naming import type_token


@dataclass(frozen=True)
class KarpenterCloudArgs:
    """Inputs of KarpenterCloud."""

    cluster_name: str
    """EKS cluster name (static: the policy's tag conditions name it)."""
    region: str
    """Region of the cluster."""
    cluster: aws.eks.Cluster
    """The control plane (access entry, cluster security group)."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets Karpenter may launch nodes in (tagged for discovery)."""
    issuer: IdentityIssuer
    """Workload identity of the cluster."""


class KarpenterCloud(pulumi.ComponentResource):
    """Controller role, node role and access entry, interruption queue and rules, discovery tags."""

    role_arn: pulumi.Output[str]
    """The controller's role."""
    node_role_name: pulumi.Output[str]
    """Name of the nodes' role (the EC2NodeClass `role`)."""
    queue_name: pulumi.Output[str]
    """Name of the interruption queue."""

    def __init__(self, name: str, args: KarpenterCloudArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("cluster", "KarpenterCloud"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        node_role, _ = service_role(
            f"{name}-node",
            service="ec2.amazonaws.com",
            managed_policies=NODE_POLICIES,
            region=args.region,
            description=f"nodes Karpenter launches in {args.cluster_name}",
            opts=child,
        )
        aws.eks.AccessEntry(
            f"{name}-node", cluster_name=args.cluster.name, principal_arn=node_role.arn, type="EC2_LINUX", opts=child
        )
        queue = Queue(
            f"{name}-interruptions",
            message_retention_seconds=QUEUE_RETENTION_SECONDS,
            sqs_managed_sse_enabled=True,
            opts=child,
        )
        QueuePolicy(
            f"{name}-interruptions",
            queue_url=queue.url,
            policy=queue.arn.apply(lambda arn: to_json(interruption_queue_policy(arn))),
            opts=child,
        )
        for event, pattern in INTERRUPTION_EVENTS.items():
            rule = EventRule(
                f"{name}-{event}",
                description=f"Karpenter interruption events of {args.cluster_name}: {pattern['detail-type'][0]}",
                event_pattern=to_json(pattern),
                opts=child,
            )
            EventTarget(f"{name}-{event}", rule=rule.name, arn=queue.arn, opts=child)
        policy = pulumi.Output.all(node_role.arn, queue.arn).apply(
            lambda v: to_json(controller_policy(args.cluster_name, args.region, v[0], v[1]))
        )
        controller = WorkloadIdentity(
            f"{name}-controller",
            WorkloadIdentityArgs(
                issuer=args.issuer,
                namespace=KARPENTER_NAMESPACE,
                service_account=KARPENTER_SERVICE_ACCOUNT,
                policy_json=policy,
            ),
            opts=child,
        )
        for index, subnet in enumerate(args.subnet_ids):
            aws.ec2.Tag(
                f"{name}-subnet-{index}", resource_id=subnet, key=DISCOVERY_TAG, value=args.cluster_name, opts=child
            )
        aws.ec2.Tag(
            f"{name}-security-group",
            resource_id=args.cluster.vpc_config.cluster_security_group_id,
            key=DISCOVERY_TAG,
            value=args.cluster_name,
            opts=child,
        )
        self.role_arn = controller.role_arn
        self.node_role_name = node_role.name
        self.queue_name = queue.name
        self.register_outputs({"roleArn": self.role_arn, "nodeRoleName": node_role.name, "queueName": queue.name})
