"""IAM documents of the optional add-ons (pure): load balancer controller, external-dns, cert-manager.

Each is the upstream project's documented policy, narrowed: the load balancer controller's
(kubernetes-sigs/aws-load-balancer-controller v2.16.0 `docs/install/iam_policy.json`) to the
cluster's region and to resources tagged `elbv2.k8s.aws/cluster: <this cluster>` where
upstream accepts any cluster's tag; external-dns and cert-manager to the named hosted zones
(cert-manager further to `TXT` records under `_acme-challenge.`). Statements whose `Resource`
is `*` are listed, with the reason, in UNSCOPED_RESOURCES.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from platform_kit.aws.policies import POLICY_VERSION, partition

LBC_TAG = "elbv2.k8s.aws/cluster"
"""Tag the load balancer controller puts on everything it creates (value: the cluster name)."""

UNSCOPED_RESOURCES = {
    "LbcServiceLinkedRole": "iam:CreateServiceLinkedRole names no role before it exists; limited by condition to "
    "the Elastic Load Balancing service",
    "LbcDescribe": "EC2 and ELB Describe*/Get* calls support no resource-level permissions; limited to the region",
    "LbcIntegrations": "ACM, IAM server-certificate, Cognito, WAF and Shield lookups and (dis)associations name "
    "resources chosen in Ingress annotations, unknown to Pulumi; limited to the region",
    "LbcCreateSecurityGroup": "ec2:CreateSecurityGroup also authorises on the VPC, whose ARN the controller "
    "chooses at run time; limited to the region",
    "LbcNodeSecurityGroupRules": "the controller opens target ports on the nodes' security groups, which it does "
    "not own or tag; limited to the region",
    "LbcCreateLoadBalancers": "CreateLoadBalancer/CreateTargetGroup authorise on a resource that does not exist "
    "yet; limited by the request tag naming this cluster and the region",
    "LbcListenersAndRules": "listener and rule ARNs embed load balancer ids created at run time; limited to the region",
    "LbcOwnLoadBalancers": "modify/delete calls on ELB resources are scoped by the `elbv2.k8s.aws/cluster` "
    "resource tag of this cluster; ELB authorises some of them on the listener or rule, whose ARN is unknown",
    "LbcListenerSettings": "listener certificates, rules and WAF association act on listeners created at run "
    "time; limited to the region",
    "LbcOwnSecurityGroups": "security groups the controller created, selected by this cluster's tag (EC2 "
    "offers no ARN pattern for them); limited to the region",
    "ExternalDnsListZones": "route53:ListHostedZones is a list call without resource-level permissions",
    "CertManagerFindZones": "route53:ListHostedZonesByName is a list call without resource-level permissions",
}
"""Sid -> why the API forces `Resource: "*"` there."""


def _region(region: str) -> dict[str, Any]:
    return {"StringEquals": {"aws:RequestedRegion": region}}


def load_balancer_controller_policy(cluster: str, region: str) -> dict[str, Any]:
    """The AWS Load Balancer Controller's permissions, limited to one cluster's resources and region."""
    part = partition(region)
    elb = f"arn:{part}:elasticloadbalancing:{region}:*"
    balancers = [f"{elb}:targetgroup/*/*", f"{elb}:loadbalancer/net/*/*", f"{elb}:loadbalancer/app/*/*"]
    listeners = [
        f"{elb}:listener/net/*/*/*",
        f"{elb}:listener/app/*/*/*",
        f"{elb}:listener-rule/net/*/*/*",
        f"{elb}:listener-rule/app/*/*/*",
    ]
    security_groups = f"arn:{part}:ec2:{region}:*:security-group/*"
    mine = {f"aws:ResourceTag/{LBC_TAG}": cluster}
    request_mine = {f"aws:RequestTag/{LBC_TAG}": cluster}
    in_region = {"aws:RequestedRegion": region}
    statements = [
        {
            "Sid": "LbcServiceLinkedRole",
            "Effect": "Allow",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
        },
        {
            "Sid": "LbcDescribe",
            "Effect": "Allow",
            "Action": [
                *(
                    f"ec2:{a}"
                    for a in (
                        "DescribeAccountAttributes",
                        "DescribeAddresses",
                        "DescribeAvailabilityZones",
                        "DescribeCoipPools",
                        "DescribeInstances",
                        "DescribeInternetGateways",
                        "DescribeIpamPools",
                        "DescribeNetworkInterfaces",
                        "DescribeRouteTables",
                        "DescribeSecurityGroups",
                        "DescribeSubnets",
                        "DescribeTags",
                        "DescribeVpcPeeringConnections",
                        "DescribeVpcs",
                        "GetCoipPoolUsage",
                        "GetSecurityGroupsForVpc",
                    )
                ),
                *(
                    f"elasticloadbalancing:{a}"
                    for a in (
                        "DescribeCapacityReservation",
                        "DescribeListenerAttributes",
                        "DescribeListenerCertificates",
                        "DescribeListeners",
                        "DescribeLoadBalancerAttributes",
                        "DescribeLoadBalancers",
                        "DescribeRules",
                        "DescribeSSLPolicies",
                        "DescribeTags",
                        "DescribeTargetGroupAttributes",
                        "DescribeTargetGroups",
                        "DescribeTargetHealth",
                        "DescribeTrustStores",
                    )
                ),
            ],
            "Resource": "*",
            "Condition": _region(region),
        },
        {
            "Sid": "LbcIntegrations",
            "Effect": "Allow",
            "Action": [
                "acm:DescribeCertificate",
                "acm:ListCertificates",
                "cognito-idp:DescribeUserPoolClient",
                "iam:GetServerCertificate",
                "iam:ListServerCertificates",
                "shield:CreateProtection",
                "shield:DeleteProtection",
                "shield:DescribeProtection",
                "shield:GetSubscriptionState",
                "waf-regional:AssociateWebACL",
                "waf-regional:DisassociateWebACL",
                "waf-regional:GetWebACL",
                "waf-regional:GetWebACLForResource",
                "wafv2:AssociateWebACL",
                "wafv2:DisassociateWebACL",
                "wafv2:GetWebACL",
                "wafv2:GetWebACLForResource",
            ],
            "Resource": "*",
            "Condition": _region(region),
        },
        {
            "Sid": "LbcNodeSecurityGroupRules",
            "Effect": "Allow",
            "Action": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            "Resource": "*",
            "Condition": _region(region),
        },
        {
            "Sid": "LbcCreateSecurityGroup",
            "Effect": "Allow",
            "Action": ["ec2:CreateSecurityGroup"],
            "Resource": "*",
            "Condition": _region(region),
        },
        {
            "Sid": "LbcTagNewSecurityGroups",
            "Effect": "Allow",
            "Action": ["ec2:CreateTags"],
            "Resource": security_groups,
            "Condition": {"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup", **request_mine}},
        },
        {
            "Sid": "LbcRetagOwnSecurityGroups",
            "Effect": "Allow",
            "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
            "Resource": security_groups,
            "Condition": {"Null": {f"aws:RequestTag/{LBC_TAG}": "true"}, "StringEquals": mine},
        },
        {
            "Sid": "LbcOwnSecurityGroups",
            "Effect": "Allow",
            "Action": [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:DeleteSecurityGroup",
                "ec2:RevokeSecurityGroupIngress",
            ],
            "Resource": "*",
            "Condition": {"StringEquals": {**mine, **in_region}},
        },
        {
            "Sid": "LbcCreateLoadBalancers",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            "Resource": "*",
            "Condition": {"StringEquals": {**request_mine, **in_region}},
        },
        {
            "Sid": "LbcListenersAndRules",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:DeleteRule",
            ],
            "Resource": "*",
            "Condition": _region(region),
        },
        {
            "Sid": "LbcRetagOwnLoadBalancers",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            "Resource": balancers,
            "Condition": {"Null": {f"aws:RequestTag/{LBC_TAG}": "true"}, "StringEquals": mine},
        },
        {
            "Sid": "LbcTagListeners",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            "Resource": listeners,
        },
        {
            "Sid": "LbcOwnLoadBalancers",
            "Effect": "Allow",
            "Action": [
                f"elasticloadbalancing:{a}"
                for a in (
                    "DeleteLoadBalancer",
                    "DeleteTargetGroup",
                    "ModifyCapacityReservation",
                    "ModifyIpPools",
                    "ModifyListenerAttributes",
                    "ModifyLoadBalancerAttributes",
                    "ModifyTargetGroup",
                    "ModifyTargetGroupAttributes",
                    "SetIpAddressType",
                    "SetSecurityGroups",
                    "SetSubnets",
                )
            ],
            "Resource": "*",
            "Condition": {"StringEquals": {**mine, **in_region}},
        },
        {
            "Sid": "LbcTagOnCreate",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags"],
            "Resource": balancers,
            "Condition": {
                "StringEquals": {
                    "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"],
                    **request_mine,
                }
            },
        },
        {
            "Sid": "LbcTargets",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"],
            "Resource": f"{elb}:targetgroup/*/*",
        },
        {
            "Sid": "LbcListenerSettings",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:SetRulePriorities",
                "elasticloadbalancing:SetWebAcl",
            ],
            "Resource": "*",
            "Condition": _region(region),
        },
    ]
    return {"Version": POLICY_VERSION, "Statement": statements}


def hosted_zone_arns(zone_ids: Sequence[str], region: str) -> list[str]:
    """ARNs of the named Route 53 hosted zones (Route 53 is global: no region or account in the ARN)."""
    return [f"arn:{partition(region)}:route53:::hostedzone/{zone}" for zone in zone_ids]


def external_dns_policy(zone_ids: Sequence[str], region: str) -> dict[str, Any]:
    """external-dns: change and read records only in the named zones."""
    zones = hosted_zone_arns(zone_ids, region)
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "ExternalDnsChangeRecords",
                "Effect": "Allow",
                "Action": [
                    "route53:ChangeResourceRecordSets",
                    "route53:ListResourceRecordSets",
                    "route53:ListTagsForResource",
                ],
                "Resource": zones,
            },
            {"Sid": "ExternalDnsListZones", "Effect": "Allow", "Action": ["route53:ListHostedZones"], "Resource": "*"},
        ],
    }


def cert_manager_policy(zone_ids: Sequence[str], region: str) -> dict[str, Any]:
    """cert-manager's DNS-01 solver: `TXT` records under `_acme-challenge.` in the named zones only."""
    part = partition(region)
    zones = hosted_zone_arns(zone_ids, region)
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "CertManagerChangeStatus",
                "Effect": "Allow",
                "Action": ["route53:GetChange"],
                "Resource": f"arn:{part}:route53:::change/*",
            },
            {
                "Sid": "CertManagerChallengeRecords",
                "Effect": "Allow",
                "Action": ["route53:ChangeResourceRecordSets"],
                "Resource": zones,
                "Condition": {
                    "ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]},
                    "ForAllValues:StringLike": {
                        "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"]
                    },
                },
            },
            {
                "Sid": "CertManagerReadRecords",
                "Effect": "Allow",
                "Action": ["route53:ListResourceRecordSets"],
                "Resource": zones,
            },
            {
                "Sid": "CertManagerFindZones",
                "Effect": "Allow",
                "Action": ["route53:ListHostedZonesByName"],
                "Resource": "*",
            },
        ],
    }
