"""Argo CD's per-object delivery rules, from the application controller's metrics (pure).

Heuristics (documented in docs/observability.md):
- deployment: a sync operation that ended Succeeded (`argocd_app_sync_total{phase}`);
  Argo CD exports no revision per Application, and an automated sync runs only when the
  Application is OutOfSync, i.e. for a new revision or to heal drift.
- failed sync: a sync operation that ended in Error or Failed (each retry counts).
- out of sync: `sync_status="OutOfSync"`.
- failing: Degraded, or sync status Unknown (Argo CD cannot render or compare it).
- team: Applications in project `team-<team>` belong to <team>; everything else to `platform`.
"""

from __future__ import annotations

from typing import Any

from platform_kit.repo.services.delivery import (
    DEPLOYMENTS,
    FAILED_SYNCS,
    FAILING,
    OUT_OF_SYNC,
    agent_delivery_rule,
    recording,
    team_labels,
)

_APP = "exported_namespace, name, project"


def _with_team(expr: str) -> str:
    return team_labels(expr, "project", "team-(.+)")


def argocd_delivery_rules(namespace: str) -> dict[str, Any]:
    """PrometheusRule `argocd-delivery`: deployments, failed syncs, drift and failures per Application and team."""
    ns = f'namespace="{namespace}"'
    syncs = f"argocd_app_sync_total{{{ns}"
    rules = [
        recording(DEPLOYMENTS, _with_team(f'sum by ({_APP}) (increase({syncs}, phase="Succeeded"}}[1h]))')),
        recording(FAILED_SYNCS, _with_team(f'sum by ({_APP}) (increase({syncs}, phase=~"Error|Failed"}}[1h]))')),
        recording(OUT_OF_SYNC, _with_team(f'max by ({_APP}) (argocd_app_info{{{ns}, sync_status="OutOfSync"}})')),
        recording(
            FAILING,
            _with_team(
                f'max by ({_APP}) (argocd_app_info{{{ns}, health_status="Degraded"}} '
                f'or argocd_app_info{{{ns}, sync_status="Unknown"}})'
            ),
        ),
    ]
    return agent_delivery_rule(
        "argocd",
        rules,
        "Application {{ $labels.exported_namespace }}/{{ $labels.name }} (project {{ $labels.project }})",
    )
