"""Karpenter's cloud side as pure documents: controller policy, interruption queue policy, event rules.

The controller policy follows Karpenter's reference policy (getting-started CloudFormation
of aws/karpenter-provider-aws v1.8.0) with every action named and the resources scoped to
the cluster's region, its `kubernetes.io/cluster/<name>: owned` and `karpenter.sh/nodepool`
tags, and the one node role. Statements whose `Resource` is `*` are listed, with the
reason, in UNSCOPED_RESOURCES (a test checks the list is complete).
"""

from __future__ import annotations

from typing import Any

from platform_kit.aws.policies import POLICY_VERSION, partition

DISCOVERY_TAG = "karpenter.sh/discovery"
"""Tag on the private subnets and the cluster security group; the EC2NodeClass selects on it."""

UNSCOPED_RESOURCES = {
    "KarpenterRegionalReadActions": "EC2 Describe* calls support no resource-level permissions (the service "
    "authorization reference lists no resource type for them); limited to the cluster's region by condition",
    "KarpenterPricingReadActions": "pricing:GetProducts has no resource type",
    "KarpenterInstanceProfileList": "iam:ListInstanceProfiles is a list call without resource-level permissions",
}
"""Sid -> why the API forces `Resource: "*"` there."""

INTERRUPTION_EVENTS = {
    "health": {"source": ["aws.health"], "detail-type": ["AWS Health Event"]},
    "spot": {"source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]},
    "rebalance": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"]},
    "state-change": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]},
}
"""EventBridge rules feeding the interruption queue (name suffix -> event pattern)."""

QUEUE_RETENTION_SECONDS = 300
"""Interruption messages older than five minutes are useless: the node is gone."""


def _ec2(region: str, resource: str) -> str:
    return f"arn:{partition(region)}:ec2:{region}:*:{resource}"


def controller_policy(cluster: str, region: str, node_role_arn: str, queue_arn: str) -> dict[str, Any]:
    """The Karpenter controller's permissions for one cluster, node role and interruption queue."""
    part = partition(region)
    owned = {f"aws:ResourceTag/kubernetes.io/cluster/{cluster}": "owned"}
    request_owned = {
        f"aws:RequestTag/kubernetes.io/cluster/{cluster}": "owned",
        "aws:RequestTag/eks:eks-cluster-name": cluster,
    }
    nodepool = {"aws:ResourceTag/karpenter.sh/nodepool": "*"}
    request_nodepool = {"aws:RequestTag/karpenter.sh/nodepool": "*"}
    launched = [
        _ec2(region, f"{kind}/*")
        for kind in ("fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request")
    ]
    profile = f"arn:{part}:iam::*:instance-profile/*"
    nodeclass = "karpenter.k8s.aws/ec2nodeclass"
    region_tag = "topology.kubernetes.io/region"
    statements = [
        {
            "Sid": "KarpenterLaunchFromSharedResources",
            "Effect": "Allow",
            "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
            "Resource": [
                f"arn:{part}:ec2:{region}::image/*",
                f"arn:{part}:ec2:{region}::snapshot/*",
                _ec2(region, "security-group/*"),
                _ec2(region, "subnet/*"),
                _ec2(region, "capacity-reservation/*"),
            ],
        },
        {
            "Sid": "KarpenterLaunchFromOwnTemplates",
            "Effect": "Allow",
            "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
            "Resource": _ec2(region, "launch-template/*"),
            "Condition": {"StringEquals": owned, "StringLike": nodepool},
        },
        {
            "Sid": "KarpenterCreateTaggedResources",
            "Effect": "Allow",
            "Action": ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            "Resource": [*launched, _ec2(region, "capacity-reservation/*")],
            "Condition": {"StringEquals": request_owned, "StringLike": request_nodepool},
        },
        {
            "Sid": "KarpenterTagOnCreate",
            "Effect": "Allow",
            "Action": ["ec2:CreateTags"],
            "Resource": launched,
            "Condition": {
                "StringEquals": {
                    **request_owned,
                    "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
                },
                "StringLike": request_nodepool,
            },
        },
        {
            "Sid": "KarpenterTagOwnInstances",
            "Effect": "Allow",
            "Action": ["ec2:CreateTags"],
            "Resource": _ec2(region, "instance/*"),
            "Condition": {
                "StringEquals": owned,
                "StringLike": nodepool,
                "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": cluster},
                "ForAllValues:StringEquals": {
                    "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]
                },
            },
        },
        {
            "Sid": "KarpenterDeleteOwnResources",
            "Effect": "Allow",
            "Action": ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            "Resource": [_ec2(region, "instance/*"), _ec2(region, "launch-template/*")],
            "Condition": {"StringEquals": owned, "StringLike": nodepool},
        },
        {
            "Sid": "KarpenterRegionalReadActions",
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeCapacityReservations",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeInstances",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSpotPriceHistory",
                "ec2:DescribeSubnets",
            ],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": region}},
        },
        {
            "Sid": "KarpenterAmiParameters",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter"],
            "Resource": f"arn:{part}:ssm:{region}::parameter/aws/service/*",
        },
        {"Sid": "KarpenterPricingReadActions", "Effect": "Allow", "Action": ["pricing:GetProducts"], "Resource": "*"},
        {
            "Sid": "KarpenterInterruptionQueue",
            "Effect": "Allow",
            "Action": ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            "Resource": queue_arn,
        },
        {
            "Sid": "KarpenterPassNodeRole",
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": node_role_arn,
            "Condition": {"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]}},
        },
        {
            "Sid": "KarpenterCreateInstanceProfile",
            "Effect": "Allow",
            "Action": ["iam:CreateInstanceProfile"],
            "Resource": profile,
            "Condition": {
                "StringEquals": {**request_owned, f"aws:RequestTag/{region_tag}": region},
                "StringLike": {f"aws:RequestTag/{nodeclass}": "*"},
            },
        },
        {
            "Sid": "KarpenterTagInstanceProfile",
            "Effect": "Allow",
            "Action": ["iam:TagInstanceProfile"],
            "Resource": profile,
            "Condition": {
                "StringEquals": {
                    **owned,
                    f"aws:ResourceTag/{region_tag}": region,
                    **request_owned,
                    f"aws:RequestTag/{region_tag}": region,
                },
                "StringLike": {f"aws:ResourceTag/{nodeclass}": "*", f"aws:RequestTag/{nodeclass}": "*"},
            },
        },
        {
            "Sid": "KarpenterManageInstanceProfile",
            "Effect": "Allow",
            "Action": [
                "iam:AddRoleToInstanceProfile",
                "iam:DeleteInstanceProfile",
                "iam:RemoveRoleFromInstanceProfile",
            ],
            "Resource": profile,
            "Condition": {
                "StringEquals": {**owned, f"aws:ResourceTag/{region_tag}": region},
                "StringLike": {f"aws:ResourceTag/{nodeclass}": "*"},
            },
        },
        {
            "Sid": "KarpenterReadInstanceProfile",
            "Effect": "Allow",
            "Action": ["iam:GetInstanceProfile"],
            "Resource": profile,
        },
        {
            "Sid": "KarpenterInstanceProfileList",
            "Effect": "Allow",
            "Action": ["iam:ListInstanceProfiles"],
            "Resource": "*",
        },
        {
            "Sid": "KarpenterClusterEndpoint",
            "Effect": "Allow",
            "Action": ["eks:DescribeCluster"],
            "Resource": f"arn:{part}:eks:{region}:*:cluster/{cluster}",
        },
    ]
    return {"Version": POLICY_VERSION, "Statement": statements}


def interruption_queue_policy(queue_arn: str) -> dict[str, Any]:
    """Only EventBridge (and SQS itself) may send to the queue; plain HTTP is refused."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "EventsSendInterruptions",
                "Effect": "Allow",
                "Principal": {"Service": ["events.amazonaws.com", "sqs.amazonaws.com"]},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
            },
            {
                "Sid": "DenyHTTP",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": queue_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }
