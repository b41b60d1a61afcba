"""Grafana dashboards (ConfigMaps for Grafana's sidecar) for the GitOps agent and ESO (pure)."""

from __future__ import annotations

import json
from typing import Any

from platform_kit.repo.services.monitoring_base import (
    DASHBOARD_LABEL,
    EXTERNAL_SECRETS_NAMESPACE,
    NO_SUBSTITUTION,
)
from platform_kit.repo.services.monitoring_base import (
    monitoring_meta as _meta,
)

# -------------------------------------------------------------------- dashboards

_DATASOURCE = {"type": "prometheus", "uid": "$datasource"}


def _target(expr: str, legend: str = "", instant: bool = False) -> dict[str, Any]:
    target: dict[str, Any] = {"datasource": _DATASOURCE, "expr": expr, "legendFormat": legend or "__auto"}
    if instant:
        target.update({"format": "table", "instant": True, "range": False})
    return target


def _panel(kind: str, title: str, targets: list[dict[str, Any]], unit: str = "short") -> dict[str, Any]:
    """A panel without id and position (`_dashboard` lays panels out)."""
    panel: dict[str, Any] = {
        "type": kind,
        "title": title,
        "datasource": _DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [{**target, "refId": chr(ord("A") + index)} for index, target in enumerate(targets)],
    }
    if kind == "stat":
        panel["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}
        panel["fieldConfig"]["defaults"]["thresholds"] = {
            "mode": "absolute",
            "steps": [{"color": "green", "value": None}, {"color": "red", "value": 1}],
        }
    elif kind == "timeseries":
        panel["options"] = {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}}
    return panel


_WIDTH = {"stat": 6, "timeseries": 12, "table": 24}
_HEIGHT = {"stat": 4, "timeseries": 8, "table": 8}


def _dashboard(uid: str, title: str, tags: list[str], panels: list[dict[str, Any]]) -> dict[str, Any]:
    """A Grafana dashboard model; panels flow left to right on a 24-column grid."""
    x = y = row_height = 0
    laid_out = []
    for index, panel in enumerate(panels, start=1):
        width, height = _WIDTH[panel["type"]], _HEIGHT[panel["type"]]
        if x + width > 24:
            x, y, row_height = 0, y + row_height, 0
        laid_out.append({"id": index, "gridPos": {"h": height, "w": width, "x": x, "y": y}, **panel})
        x, row_height = x + width, max(row_height, height)
    datasource_variable = {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "current": {},
        "hide": 0,
        "refresh": 1,
    }
    return {
        "uid": uid,
        "title": title,
        "tags": ["platform", *tags],
        "editable": False,
        "timezone": "utc",
        "refresh": "1m",
        "schemaVersion": 39,
        "version": 1,
        "time": {"from": "now-6h", "to": "now"},
        "annotations": {"list": []},
        "templating": {"list": [datasource_variable]},
        "panels": laid_out,
    }


def _dashboard_config_map(name: str, dashboard: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(f"grafana-dashboard-{name}", NO_SUBSTITUTION, **{DASHBOARD_LABEL: "1"}),
        "data": {f"{name}.json": json.dumps(dashboard, indent=2, sort_keys=True) + "\n"},
    }


def flux_dashboard(namespace: str) -> dict[str, Any]:
    """Dashboard ConfigMap: Flux resource state, reconcile rate, errors and duration."""
    ns = f'namespace="{namespace}"'
    rate = "[$__rate_interval]"
    panels = [
        _panel("stat", "Resources not ready", [_target('count(flux_resource_info{ready="False"}) or vector(0)')]),
        _panel("stat", "Resources progressing", [_target('count(flux_resource_info{ready="Unknown"}) or vector(0)')]),
        _panel("stat", "Resources suspended", [_target('count(flux_resource_info{suspended="True"}) or vector(0)')]),
        _panel("stat", "Resources total", [_target("count(flux_resource_info) or vector(0)")]),
        _panel(
            "timeseries",
            "Reconciliations per second by kind",
            [_target(f"sum by (kind) (rate(gotk_reconcile_duration_seconds_count{{{ns}}}{rate}))", "{{kind}}")],
            "ops",
        ),
        _panel(
            "timeseries",
            "Reconcile errors per second by controller",
            [
                _target(
                    f"sum by (controller) (rate(controller_runtime_reconcile_errors_total{{{ns}}}{rate}))",
                    "{{controller}}",
                )
            ],
            "ops",
        ),
        _panel(
            "timeseries",
            "Reconcile duration p95 by kind",
            [
                _target(
                    "histogram_quantile(0.95, sum by (kind, le) "
                    f"(rate(gotk_reconcile_duration_seconds_bucket{{{ns}}}{rate})))",
                    "{{kind}}",
                )
            ],
            "s",
        ),
        _panel(
            "timeseries",
            "Reconciliations per second by result",
            [_target(f"sum by (result) (rate(controller_runtime_reconcile_total{{{ns}}}{rate}))", "{{result}}")],
            "ops",
        ),
        _panel(
            "table",
            "Resources not ready",
            [
                _target(
                    "max by (kind, exported_namespace, name, ready, reason, suspended) "
                    '(flux_resource_info{ready!="True"})',
                    instant=True,
                )
            ],
        ),
    ]
    return _dashboard_config_map("flux", _dashboard("platform-flux", "Platform / Flux", ["gitops", "flux"], panels))


def argocd_dashboard(namespace: str) -> dict[str, Any]:
    """Dashboard ConfigMap: Application sync and health, sync operations, reconcile rate and duration."""
    ns = f'namespace="{namespace}"'
    rate = "[$__rate_interval]"
    panels = [
        _panel(
            "stat",
            "Applications out of sync",
            [_target(f'count(argocd_app_info{{{ns}, sync_status="OutOfSync"}}) or vector(0)')],
        ),
        _panel(
            "stat",
            "Applications with unknown sync",
            [_target(f'count(argocd_app_info{{{ns}, sync_status="Unknown"}}) or vector(0)')],
        ),
        _panel(
            "stat",
            "Applications degraded",
            [_target(f'count(argocd_app_info{{{ns}, health_status="Degraded"}}) or vector(0)')],
        ),
        _panel("stat", "Applications total", [_target(f"count(argocd_app_info{{{ns}}}) or vector(0)")]),
        _panel(
            "timeseries",
            "Sync operations per second by phase",
            [_target(f"sum by (phase) (rate(argocd_app_sync_total{{{ns}}}{rate}))", "{{phase}}")],
            "ops",
        ),
        _panel(
            "timeseries",
            "Application reconciliations per second",
            [_target(f"sum(rate(argocd_app_reconcile_count{{{ns}}}{rate}))", "reconciliations")],
            "ops",
        ),
        _panel(
            "timeseries",
            "Application reconcile duration p95",
            [
                _target(
                    f"histogram_quantile(0.95, sum by (le) (rate(argocd_app_reconcile_bucket{{{ns}}}{rate})))", "p95"
                )
            ],
            "s",
        ),
        _panel(
            "timeseries",
            "Git requests per second by type",
            [_target(f"sum by (request_type) (rate(argocd_git_request_total{{{ns}}}{rate}))", "{{request_type}}")],
            "ops",
        ),
        _panel(
            "table",
            "Applications not synced or not healthy",
            [
                _target(
                    "max by (exported_namespace, name, project, sync_status, health_status) "
                    f'(argocd_app_info{{{ns}, sync_status!="Synced"}} '
                    f'or argocd_app_info{{{ns}, health_status!="Healthy"}})',
                    instant=True,
                )
            ],
        ),
    ]
    return _dashboard_config_map(
        "argocd", _dashboard("platform-argocd", "Platform / Argo CD", ["gitops", "argocd"], panels)
    )


def external_secrets_dashboard() -> dict[str, Any]:
    """Dashboard ConfigMap: ExternalSecret readiness, sync calls and errors, controller reconcile duration."""
    ns = f'namespace="{EXTERNAL_SECRETS_NAMESPACE}"'
    rate = "[$__rate_interval]"
    not_ready = f'externalsecret_status_condition{{{ns}, condition="Ready", status="False"}} == 1'
    panels = [
        _panel("stat", "ExternalSecrets not ready", [_target(f"count({not_ready}) or vector(0)")]),
        _panel(
            "stat",
            "ExternalSecrets total",
            [_target(f'count(externalsecret_status_condition{{{ns}, condition="Ready"}} == 1) or vector(0)')],
        ),
        _panel(
            "timeseries",
            "Sync calls per second",
            [_target(f"sum(rate(externalsecret_sync_calls_total{{{ns}}}{rate}))", "sync calls")],
            "ops",
        ),
        _panel(
            "timeseries",
            "Sync errors per second by namespace",
            [
                _target(
                    f"sum by (exported_namespace) (rate(externalsecret_sync_calls_error{{{ns}}}{rate}))",
                    "{{exported_namespace}}",
                )
            ],
            "ops",
        ),
        _panel(
            "timeseries",
            "Reconcile duration p95 by controller",
            [
                _target(
                    "histogram_quantile(0.95, sum by (controller, le) "
                    f"(rate(controller_runtime_reconcile_time_seconds_bucket{{{ns}}}{rate})))",
                    "{{controller}}",
                )
            ],
            "s",
        ),
        _panel(
            "table",
            "ExternalSecrets not ready",
            [_target(f"max by (exported_namespace, name) ({not_ready})", instant=True)],
        ),
    ]
    dashboard = _dashboard("platform-external-secrets", "Platform / External Secrets", ["secrets"], panels)
    return _dashboard_config_map("external-secrets", dashboard)
