"""The one place that defines Pulumi type tokens of platform_kit components."""

TYPE_PREFIX = "platform-kit"
"""Package part of every component type token (`platform-kit:<module>:<Class>`)."""


def type_token(module: str, cls: str) -> str:
    """Type token of a component, e.g. `platform-kit:cluster:ExistingCluster`."""
    return f"{TYPE_PREFIX}:{module}:{cls}"
