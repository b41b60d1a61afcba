"""Monitoring of Argo CD: its scrape configs, alerts and Grafana dashboard (pure).

Label conventions of the metrics: see `platform_kit.repo.services.observability`.
"""

from __future__ import annotations

from typing import Any

from platform_kit.repo.argocd.delivery import argocd_delivery_rules
from platform_kit.repo.services.alerts import alert, prometheus_rule
from platform_kit.repo.services.dashboards import dashboard, dashboard_config_map, panel, target
from platform_kit.repo.services.delivery import delivery_objects
from platform_kit.repo.services.monitoring_base import MONITORING_API, monitoring_meta


def monitoring_objects(namespace: str) -> list[dict[str, Any]]:
    """Everything that makes Argo CD in `namespace` observable (ESO's objects are added by the caller)."""
    return [
        *argocd_monitors(namespace),
        argocd_rules(namespace),
        argocd_dashboard(namespace),
        *delivery_objects(argocd_delivery_rules(namespace)),
    ]


ARGOCD_METRICS_SERVICES = (
    ("application-controller", "argocd-metrics"),
    ("repo-server", "argocd-repo-server-metrics"),
    ("server", "argocd-server-metrics"),
)
"""(component, app.kubernetes.io/name) of the argo-cd chart's metrics Services (`<component>.metrics.enabled`)."""


def argocd_monitors(namespace: str) -> list[dict[str, Any]]:
    """ServiceMonitors for the argo-cd chart's metrics Services, selected by the chart's own labels.

    The chart creates those Services only with `controller.metrics.enabled`,
    `repoServer.metrics.enabled` and `server.metrics.enabled` (port name `http-metrics`).
    """
    return [
        {
            "apiVersion": MONITORING_API,
            "kind": "ServiceMonitor",
            "metadata": monitoring_meta(f"argocd-{component}"),
            "spec": {
                "namespaceSelector": {"matchNames": [namespace]},
                "selector": {"matchLabels": {"app.kubernetes.io/name": name, "app.kubernetes.io/component": component}},
                "endpoints": [{"port": "http-metrics", "path": "/metrics"}],
            },
        }
        for component, name in ARGOCD_METRICS_SERVICES
    ]


_APP = "Application {{ $labels.exported_namespace }}/{{ $labels.name }} (project {{ $labels.project }})"


def argocd_rules(namespace: str) -> dict[str, Any]:
    """Alerts on failed syncs, comparison errors, unhealthy, stalled and out-of-sync (drifted) Applications."""
    ns = f'namespace="{namespace}"'
    by_app = "max by (exported_namespace, name, project)"
    reconciles = f"argocd_app_reconcile_count{{{ns}}}"
    rules = [
        alert(
            "ArgoCdAppSyncFailed",
            f'sum by (exported_namespace, name, project) (increase(argocd_app_sync_total{{{ns}, phase=~"Error|Failed"}}'
            "[15m])) > 0",
            "5m",
            "warning",
            f"{_APP} failed to sync",
            f"A sync operation of {_APP} ended in Error or Failed in the last 15 minutes.",
        ),
        alert(
            "ArgoCdAppComparisonError",
            f'{by_app} (argocd_app_info{{{ns}, sync_status="Unknown"}}) == 1',
            "15m",
            "critical",
            f"{_APP} cannot be compared with Git",
            f"Argo CD has not been able to render or compare {_APP} for 15 minutes (repository unreachable or "
            "manifests invalid): the cluster no longer follows Git for it.",
        ),
        alert(
            "ArgoCdAppUnhealthy",
            f'{by_app} (argocd_app_info{{{ns}, health_status=~"Degraded|Missing"}}) == 1',
            "15m",
            "warning",
            f"{_APP} is unhealthy",
            f"{_APP} has been Degraded or Missing for 15 minutes.",
        ),
        alert(
            "ArgoCdAppOutOfSync",
            f'{by_app} (argocd_app_info{{{ns}, sync_status="OutOfSync"}}) == 1',
            "30m",
            "warning",
            f"{_APP} has drifted from Git",
            f"{_APP} has been OutOfSync for 30 minutes: the live state differs from Git and self-heal did not fix it.",
        ),
        alert(
            "ArgoCdAppProgressingTooLong",
            f'{by_app} (argocd_app_info{{{ns}, health_status="Progressing"}}) == 1',
            "30m",
            "warning",
            f"{_APP} is stuck progressing",
            f"{_APP} has been Progressing for 30 minutes.",
        ),
        alert(
            "ArgoCdAutoSyncDisabled",
            f'{by_app} (argocd_app_info{{{ns}, autosync_enabled="false"}}) == 1',
            "12h",
            "warning",
            f"{_APP} does not sync automatically",
            f"Automated sync of {_APP} has been off for 12 hours: Git changes wait for a manual sync and drift "
            "is not healed.",
        ),
        alert(
            "ArgoCdReconciliationStopped",
            f"sum(increase({reconciles}[30m])) == 0\nor absent({reconciles})",
            "15m",
            "critical",
            "Argo CD stopped reconciling Applications",
            f"The application controller in {namespace} has reconciled no Application for 30 minutes (or its "
            "metrics are missing): nothing from Git is applied and drift is not detected.",
        ),
    ]
    return prometheus_rule("argocd-alerts", "argocd.reconciliation", rules)


def argocd_dashboard(namespace: str) -> dict[str, Any]:
    """Dashboard ConfigMap: Application sync and health, sync operations, reconcile rate and duration."""
    ns = f'namespace="{namespace}"'
    rate = "[$__rate_interval]"
    panels = [
        panel(
            "stat",
            "Applications out of sync",
            [target(f'count(argocd_app_info{{{ns}, sync_status="OutOfSync"}}) or vector(0)')],
        ),
        panel(
            "stat",
            "Applications with unknown sync",
            [target(f'count(argocd_app_info{{{ns}, sync_status="Unknown"}}) or vector(0)')],
        ),
        panel(
            "stat",
            "Applications degraded",
            [target(f'count(argocd_app_info{{{ns}, health_status="Degraded"}}) or vector(0)')],
        ),
        panel("stat", "Applications total", [target(f"count(argocd_app_info{{{ns}}}) or vector(0)")]),
        panel(
            "timeseries",
            "Sync operations per second by phase",
            [target(f"sum by (phase) (rate(argocd_app_sync_total{{{ns}}}{rate}))", "{{phase}}")],
            "ops",
        ),
        panel(
            "timeseries",
            "Application reconciliations per second",
            [target(f"sum(rate(argocd_app_reconcile_count{{{ns}}}{rate}))", "reconciliations")],
            "ops",
        ),
        panel(
            "timeseries",
            "Application reconcile duration p95",
            [target(f"histogram_quantile(0.95, sum by (le) (rate(argocd_app_reconcile_bucket{{{ns}}}{rate})))", "p95")],
            "s",
        ),
        panel(
            "timeseries",
            "Git requests per second by type",
            [target(f"sum by (request_type) (rate(argocd_git_request_total{{{ns}}}{rate}))", "{{request_type}}")],
            "ops",
        ),
        panel(
            "table",
            "Applications not synced or not healthy",
            [
                target(
                    "max by (exported_namespace, name, project, sync_status, health_status) "
                    f'(argocd_app_info{{{ns}, sync_status!="Synced"}} '
                    f'or argocd_app_info{{{ns}, health_status!="Healthy"}})',
                    instant=True,
                )
            ],
        ),
    ]
    return dashboard_config_map(
        "argocd", dashboard("platform-argocd", "Platform / Argo CD", ["gitops", "argocd"], panels)
    )
