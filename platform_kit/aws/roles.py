"""A role for an AWS service principal with AWS-managed policies attached."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from platform_kit.aws.policies import managed_policy_arn, service_trust_policy, to_json


def service_role(
    name: str,
    *,
    service: str,
    actions: tuple[str, ...] = ("sts:AssumeRole",),
    managed_policies: Sequence[str],
    region: str,
    description: str,
    opts: pulumi.ResourceOptions,
) -> tuple[aws.iam.Role, list[aws.iam.RolePolicyAttachment]]:
    """`<name>-role` trusted by `service`, and one attachment per managed policy (named by policy)."""
    role = aws.iam.Role(
        f"{name}-role",
        assume_role_policy=to_json(service_trust_policy(service, actions)),
        description=description,
        opts=opts,
    )
    attachments = [
        aws.iam.RolePolicyAttachment(
            f"{name}-{policy}", role=role.name, policy_arn=managed_policy_arn(region, policy), opts=opts
        )
        for policy in managed_policies
    ]
    return role, attachments
