"""Flux's own notifications: a Provider for the configured channel and an Alert on failures (pure)."""

from __future__ import annotations

from typing import Any

from platform_kit.config.models import FluxConfig
from platform_kit.config.services import NotificationsConfig

NOTIFICATIONS_SECRET = "platform-notifications"
"""Secret (created by Pulumi, never committed) holding the channel's webhook URL as `address`."""

ALERTED_KINDS = ("GitRepository", "OCIRepository", "HelmRepository", "Kustomization", "HelmRelease")
"""Flux objects whose failures are reported."""


def notification_objects(flux: FluxConfig, notifications: NotificationsConfig) -> list[dict[str, Any]]:
    """Provider (channel, secret reference) and Alert (error events of every Flux object)."""
    provider_spec: dict[str, Any] = {"type": notifications.kind, "secretRef": {"name": NOTIFICATIONS_SECRET}}
    if notifications.channel:
        provider_spec["channel"] = notifications.channel
    provider = {
        "apiVersion": "notification.toolkit.fluxcd.io/v1beta3",
        "kind": "Provider",
        "metadata": {"name": "platform", "namespace": flux.namespace},
        "spec": provider_spec,
    }
    alert = {
        "apiVersion": "notification.toolkit.fluxcd.io/v1beta3",
        "kind": "Alert",
        "metadata": {"name": "platform-failures", "namespace": flux.namespace},
        "spec": {
            "providerRef": {"name": "platform"},
            "eventSeverity": "error",
            "eventSources": [{"kind": kind, "name": "*"} for kind in ALERTED_KINDS],
            # `spec.summary` is deprecated since notification-controller 1.7 (v1beta3).
            "eventMetadata": {"summary": "cluster ${PLATFORM_CLUSTER_NAME} (${PLATFORM_ENVIRONMENT})"},
        },
    }
    return [provider, alert]
