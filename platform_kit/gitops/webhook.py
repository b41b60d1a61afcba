"""The generated secret that authenticates Git push webhooks, shared by every agent."""

from __future__ import annotations

import pulumi
import pulumi_random as random

WEBHOOK_SECRET_LENGTH = 40
"""Length of the generated webhook secret (letters and digits, easy to paste into a Git host)."""


def webhook_password(name: str, parent: pulumi.Resource) -> random.RandomPassword:
    """A RandomPassword `<name>-webhook-secret`; its `result` is a Pulumi secret."""
    return random.RandomPassword(
        f"{name}-webhook-secret",
        length=WEBHOOK_SECRET_LENGTH,
        special=False,
        opts=pulumi.ResourceOptions(parent=parent, additional_secret_outputs=["result"]),
    )
