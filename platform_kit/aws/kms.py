"""A customer-managed KMS key with yearly rotation and an alias."""

from __future__ import annotations

import pulumi
from pulumi_aws.kms.alias import Alias  # the class modules, not pulumi_aws.kms's every class (docs/architecture.md)
from pulumi_aws.kms.key import Key

DELETION_WINDOW_DAYS = 30
"""Days a deleted key stays recoverable (the AWS maximum)."""


def rotating_key(name: str, *, alias: str, description: str, opts: pulumi.ResourceOptions) -> Key:
    """`<name>` key (rotation on, 30-day deletion window) and its `alias/<alias>`."""
    key = Key(
        name,
        description=description,
        enable_key_rotation=True,
        deletion_window_in_days=DELETION_WINDOW_DAYS,
        opts=opts,
    )
    Alias(name, name=f"alias/{alias}", target_key_id=key.key_id, opts=opts)
    return key
