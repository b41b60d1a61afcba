"""Argo CD's own notifications: chart values posting failed syncs and degraded apps to a webhook (pure).

The webhook URL is a secret: Pulumi writes it into `argocd-notifications-secret`
(key `platform-webhook-url`); the values here only reference it.
"""

from __future__ import annotations

import json
from typing import Any

from platform_kit.config.models import PlatformConfig

NOTIFICATIONS_SECRET = "argocd-notifications-secret"
"""Secret the notifications controller reads; created by Pulumi, never committed."""
WEBHOOK_URL_KEY = "platform-webhook-url"
"""Key of the channel's incoming-webhook URL in NOTIFICATIONS_SECRET."""

TRIGGERS = {
    "on-sync-failed": "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
    "on-health-degraded": "app.status.health.status == 'Degraded'",
}
"""When Argo CD notifies: failed syncs and degraded applications."""


def notifications_values(config: PlatformConfig) -> dict[str, Any]:
    """`notifications` values of the argo-cd chart: enabled with a webhook service when configured."""
    notifications = config.services.observability.notifications
    if notifications is None:
        return {"enabled": False}
    text = "Argo CD: {{.app.metadata.name}} is {{.app.status.sync.status}} / {{.app.status.health.status}}"
    body = {"text": text} if notifications.kind == "slack" else {"message": text}
    if notifications.channel and notifications.kind == "slack":
        body["channel"] = notifications.channel
    template = {"webhook": {"platform": {"method": "POST", "body": json.dumps(body)}}}
    values: dict[str, Any] = {
        "enabled": True,
        "secret": {"create": False},
        "notifiers": {
            "service.webhook.platform": (
                f"url: ${WEBHOOK_URL_KEY}\nheaders:\n- name: Content-Type\n  value: application/json\n"
            )
        },
        "templates": {"template.platform": json.dumps(template)},
        "triggers": {
            f"trigger.{name}": json.dumps([{"when": condition, "send": ["platform"]}])
            for name, condition in TRIGGERS.items()
        },
        "subscriptions": [{"recipients": ["platform"], "triggers": sorted(TRIGGERS)}],
    }
    return values
