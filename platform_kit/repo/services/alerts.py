"""PrometheusRule builders and the alerts on External Secrets Operator (pure); each agent's package adds its own.

Label conventions: see `platform_kit.repo.services.observability`.
"""

from __future__ import annotations

from typing import Any

from platform_kit.repo.services.monitoring_base import (
    EXTERNAL_SECRETS_NAMESPACE,
    MONITORING_API,
    NO_SUBSTITUTION,
    monitoring_meta,
)

# ------------------------------------------------------------------------ alerts


def alert(name: str, expr: str, for_: str, severity: str, summary: str, description: str) -> dict[str, Any]:
    return {
        "alert": name,
        "expr": expr,
        "for": for_,
        "labels": {"severity": severity},
        "annotations": {"summary": summary, "description": description},
    }


def prometheus_rule(name: str, group: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": MONITORING_API,
        "kind": "PrometheusRule",
        "metadata": monitoring_meta(name, NO_SUBSTITUTION),
        "spec": {"groups": [{"name": group, "rules": rules}]},
    }


def external_secrets_rules() -> dict[str, Any]:
    """Alerts on ExternalSecrets that fail to sync and on an absent ESO controller."""
    ns = f'namespace="{EXTERNAL_SECRETS_NAMESPACE}"'
    secret = "ExternalSecret {{ $labels.exported_namespace }}/{{ $labels.name }}"
    rules = [
        alert(
            "ExternalSecretNotReady",
            "max by (exported_namespace, name) "
            f'(externalsecret_status_condition{{{ns}, condition="Ready", status="False"}}) == 1',
            "15m",
            "warning",
            f"{secret} is not Ready",
            f"{secret} has not synced from the secrets manager for 15 minutes; its Secret keeps the last value.",
        ),
        alert(
            "ExternalSecretSyncErrors",
            f"sum by (exported_namespace, name) (increase(externalsecret_sync_calls_error{{{ns}}}[15m])) > 0",
            "15m",
            "warning",
            f"{secret} keeps failing to sync",
            f"Sync calls of {secret} have failed for 15 minutes (permissions, missing key or provider errors).",
        ),
        alert(
            "ExternalSecretsOperatorDown",
            f"absent(up{{{ns}}} == 1)",
            "10m",
            "critical",
            "External Secrets Operator is not scraped",
            f"No External Secrets Operator pod in {EXTERNAL_SECRETS_NAMESPACE} has answered a scrape for "
            "10 minutes: secrets are not refreshed.",
        ),
    ]
    return prometheus_rule("external-secrets-alerts", "external-secrets.sync", rules)
