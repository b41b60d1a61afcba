"""Grafana dashboard builders (ConfigMaps for Grafana's sidecar) and the ESO dashboard (pure).

Each agent's package builds its own dashboard with these.
"""

from __future__ import annotations

import json
from typing import Any

from platform_kit.repo.services.monitoring_base import (
    DASHBOARD_LABEL,
    EXTERNAL_SECRETS_NAMESPACE,
    NO_SUBSTITUTION,
    monitoring_meta,
)

# -------------------------------------------------------------------- dashboards

_DATASOURCE = {"type": "prometheus", "uid": "$datasource"}


def target(expr: str, legend: str = "", instant: bool = False) -> dict[str, Any]:
    target: dict[str, Any] = {"datasource": _DATASOURCE, "expr": expr, "legendFormat": legend or "__auto"}
    if instant:
        target.update({"format": "table", "instant": True, "range": False})
    return target


def panel(kind: str, title: str, targets: list[dict[str, Any]], unit: str = "short") -> dict[str, Any]:
    """A panel without id and position (`dashboard` lays panels out)."""
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


def dashboard(uid: str, title: str, tags: list[str], panels: list[dict[str, Any]]) -> dict[str, Any]:
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


def dashboard_config_map(name: str, dashboard: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": monitoring_meta(f"grafana-dashboard-{name}", NO_SUBSTITUTION, **{DASHBOARD_LABEL: "1"}),
        "data": {f"{name}.json": json.dumps(dashboard, indent=2, sort_keys=True) + "\n"},
    }


def external_secrets_dashboard() -> dict[str, Any]:
    """Dashboard ConfigMap: ExternalSecret readiness, sync calls and errors, controller reconcile duration."""
    ns = f'namespace="{EXTERNAL_SECRETS_NAMESPACE}"'
    rate = "[$__rate_interval]"
    not_ready = f'externalsecret_status_condition{{{ns}, condition="Ready", status="False"}} == 1'
    panels = [
        panel("stat", "ExternalSecrets not ready", [target(f"count({not_ready}) or vector(0)")]),
        panel(
            "stat",
            "ExternalSecrets total",
            [target(f'count(externalsecret_status_condition{{{ns}, condition="Ready"}} == 1) or vector(0)')],
        ),
        panel(
            "timeseries",
            "Sync calls per second",
            [target(f"sum(rate(externalsecret_sync_calls_total{{{ns}}}{rate}))", "sync calls")],
            "ops",
        ),
        panel(
            "timeseries",
            "Sync errors per second by namespace",
            [
                target(
                    f"sum by (exported_namespace) (rate(externalsecret_sync_calls_error{{{ns}}}{rate}))",
                    "{{exported_namespace}}",
                )
            ],
            "ops",
        ),
        panel(
            "timeseries",
            "Reconcile duration p95 by controller",
            [
                target(
                    "histogram_quantile(0.95, sum by (controller, le) "
                    f"(rate(controller_runtime_reconcile_time_seconds_bucket{{{ns}}}{rate})))",
                    "{{controller}}",
                )
            ],
            "s",
        ),
        panel(
            "table",
            "ExternalSecrets not ready",
            [target(f"max by (exported_namespace, name) ({not_ready})", instant=True)],
        ),
    ]
    model = dashboard("platform-external-secrets", "Platform / External Secrets", ["secrets"], panels)
    return dashboard_config_map("external-secrets", model)
