"""A customer-managed KMS key with yearly rotation and an alias."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

DELETION_WINDOW_DAYS = 30
"""Days a deleted key stays recoverable (the AWS maximum)."""


def rotating_key(name: str, *, alias: str, description: str, opts: pulumi.ResourceOptions) -> aws.kms.Key:
    """`<name>` key (rotation on, 30-day deletion window) and its `alias/<alias>`."""
    key = aws.kms.Key(
        name,
        description=description,
        enable_key_rotation=True,
        deletion_window_in_days=DELETION_WINDOW_DAYS,
        opts=opts,
    )
    aws.kms.Alias(name, name=f"alias/{alias}", target_key_id=key.key_id, opts=opts)
    return key
