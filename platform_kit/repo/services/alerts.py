"""PrometheusRules alerting on the GitOps agent and External Secrets Operator (pure).

Label conventions: see `platform_kit.repo.services.observability`.
"""

from __future__ import annotations

from typing import Any

from platform_kit.repo.services.monitoring_base import (
    _API,
    EXTERNAL_SECRETS_NAMESPACE,
    NO_SUBSTITUTION,
)
from platform_kit.repo.services.monitoring_base import (
    monitoring_meta as _meta,
)

# ------------------------------------------------------------------------ alerts


def _alert(name: str, expr: str, for_: str, severity: str, summary: str, description: str) -> dict[str, Any]:
    return {
        "alert": name,
        "expr": expr,
        "for": for_,
        "labels": {"severity": severity},
        "annotations": {"summary": summary, "description": description},
    }


def _rule(name: str, group: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": _API,
        "kind": "PrometheusRule",
        "metadata": _meta(name, NO_SUBSTITUTION),
        "spec": {"groups": [{"name": group, "rules": rules}]},
    }


_OBJECT = "{{ $labels.kind }} {{ $labels.exported_namespace }}/{{ $labels.name }}"
_APP = "Application {{ $labels.exported_namespace }}/{{ $labels.name }} (project {{ $labels.project }})"


def flux_rules(namespace: str) -> dict[str, Any]:
    """Alerts on failed, stalled and suspended Flux reconciliations and on Git drift.

    Per-object state comes from the Flux Operator's `flux_resource_info` (the controllers'
    own `gotk_reconcile_condition` is deprecated). Flux has no drift metric: it corrects
    in-cluster drift on every reconcile and reports drift only as events. So drift can
    only persist if reconciliation fails (FluxReconciliationFailed), stops
    (FluxDriftCorrectionStopped, from the `gotk_reconcile_duration_seconds` counters), or
    falls behind Git (FluxClusterBehindGit: a Kustomization's last attempted revision
    differs from its source's artifact revision).
    """
    ns = f'namespace="{namespace}"'
    by_object = "max by (kind, exported_namespace, name)"
    # Joins each Kustomization to the source of the same name in its namespace (the layout never
    # references a source in another namespace).
    behind = (
        'max by (exported_namespace, name, source_name, revision) (flux_resource_info{kind="Kustomization", '
        'suspended="False"})\nunless on (exported_namespace, source_name, revision)\n'
        'label_replace(max by (exported_namespace, name, revision) (flux_resource_info{kind=~"GitRepository|'
        'OCIRepository|Bucket"}), "source_name", "$1", "name", "(.+)")'
    )
    kustomization_reconciles = f'gotk_reconcile_duration_seconds_count{{{ns}, kind="Kustomization"}}'
    rules = [
        _alert(
            "FluxReconciliationFailed",
            f'{by_object} (flux_resource_info{{ready="False", suspended="False"}}) == 1',
            "15m",
            "critical",
            f"{_OBJECT} fails to reconcile",
            f"{_OBJECT} has been not Ready for 15 minutes; the cluster no longer follows Git for it. "
            "See `flux get all -A --status-selector ready=false` and its events.",
        ),
        _alert(
            "FluxReconciliationStalled",
            f'{by_object} (flux_resource_info{{ready="Unknown", suspended="False"}}) == 1',
            "30m",
            "warning",
            f"{_OBJECT} is stuck reconciling",
            f"{_OBJECT} has been progressing for 30 minutes without becoming Ready (waiting on dependencies, "
            "health checks or a hung controller).",
        ),
        _alert(
            "FluxReconciliationSuspended",
            f'{by_object} (flux_resource_info{{suspended="True"}}) == 1',
            "12h",
            "warning",
            f"{_OBJECT} is suspended",
            f"{_OBJECT} has been suspended for 12 hours: changes in Git are not applied and drift is not "
            "corrected. Resume it with `flux resume`.",
        ),
        _alert(
            "FluxClusterBehindGit",
            behind,
            "30m",
            "warning",
            "Kustomization {{ $labels.exported_namespace }}/{{ $labels.name }} lags behind its source",
            "Kustomization {{ $labels.exported_namespace }}/{{ $labels.name }} last attempted revision "
            "{{ $labels.revision }}, which is not the current revision of source {{ $labels.source_name }}: "
            "the cluster has drifted from Git for 30 minutes.",
        ),
        _alert(
            "FluxDriftCorrectionStopped",
            f"sum(increase({kustomization_reconciles}[2h])) == 0\nor absent({kustomization_reconciles})",
            "15m",
            "critical",
            "Flux stopped reconciling Kustomizations",
            f"No Kustomization was reconciled by kustomize-controller in {namespace} for 2 hours (or its metrics "
            "are missing): nothing from Git is applied and drift is not corrected.",
        ),
        _alert(
            "FluxControllerReconcileErrors",
            f"sum by (controller) (rate(controller_runtime_reconcile_errors_total{{{ns}}}[10m])) > 0",
            "30m",
            "warning",
            "Flux controller {{ $labels.controller }} keeps failing",
            f"The {{{{ $labels.controller }}}} controller in {namespace} has returned reconcile errors for 30 minutes.",
        ),
        _alert(
            "FluxOperatorMetricsAbsent",
            "absent(flux_resource_info)",
            "15m",
            "warning",
            "Flux resource metrics are missing",
            f"The Flux Operator in {namespace} exports no flux_resource_info: the other Flux alerts are blind.",
        ),
    ]
    return _rule("flux-alerts", "flux.reconciliation", rules)


def argocd_rules(namespace: str) -> dict[str, Any]:
    """Alerts on failed syncs, comparison errors, unhealthy, stalled and out-of-sync (drifted) Applications."""
    ns = f'namespace="{namespace}"'
    by_app = "max by (exported_namespace, name, project)"
    reconciles = f"argocd_app_reconcile_count{{{ns}}}"
    rules = [
        _alert(
            "ArgoCdAppSyncFailed",
            f'sum by (exported_namespace, name, project) (increase(argocd_app_sync_total{{{ns}, phase=~"Error|Failed"}}'
            "[15m])) > 0",
            "5m",
            "warning",
            f"{_APP} failed to sync",
            f"A sync operation of {_APP} ended in Error or Failed in the last 15 minutes.",
        ),
        _alert(
            "ArgoCdAppComparisonError",
            f'{by_app} (argocd_app_info{{{ns}, sync_status="Unknown"}}) == 1',
            "15m",
            "critical",
            f"{_APP} cannot be compared with Git",
            f"Argo CD has not been able to render or compare {_APP} for 15 minutes (repository unreachable or "
            "manifests invalid): the cluster no longer follows Git for it.",
        ),
        _alert(
            "ArgoCdAppUnhealthy",
            f'{by_app} (argocd_app_info{{{ns}, health_status=~"Degraded|Missing"}}) == 1',
            "15m",
            "warning",
            f"{_APP} is unhealthy",
            f"{_APP} has been Degraded or Missing for 15 minutes.",
        ),
        _alert(
            "ArgoCdAppOutOfSync",
            f'{by_app} (argocd_app_info{{{ns}, sync_status="OutOfSync"}}) == 1',
            "30m",
            "warning",
            f"{_APP} has drifted from Git",
            f"{_APP} has been OutOfSync for 30 minutes: the live state differs from Git and self-heal did not fix it.",
        ),
        _alert(
            "ArgoCdAppProgressingTooLong",
            f'{by_app} (argocd_app_info{{{ns}, health_status="Progressing"}}) == 1',
            "30m",
            "warning",
            f"{_APP} is stuck progressing",
            f"{_APP} has been Progressing for 30 minutes.",
        ),
        _alert(
            "ArgoCdAutoSyncDisabled",
            f'{by_app} (argocd_app_info{{{ns}, autosync_enabled="false"}}) == 1',
            "12h",
            "warning",
            f"{_APP} does not sync automatically",
            f"Automated sync of {_APP} has been off for 12 hours: Git changes wait for a manual sync and drift "
            "is not healed.",
        ),
        _alert(
            "ArgoCdReconciliationStopped",
            f"sum(increase({reconciles}[30m])) == 0\nor absent({reconciles})",
            "15m",
            "critical",
            "Argo CD stopped reconciling Applications",
            f"The application controller in {namespace} has reconciled no Application for 30 minutes (or its "
            "metrics are missing): nothing from Git is applied and drift is not detected.",
        ),
    ]
    return _rule("argocd-alerts", "argocd.reconciliation", rules)


def external_secrets_rules() -> dict[str, Any]:
    """Alerts on ExternalSecrets that fail to sync and on an absent ESO controller."""
    ns = f'namespace="{EXTERNAL_SECRETS_NAMESPACE}"'
    secret = "ExternalSecret {{ $labels.exported_namespace }}/{{ $labels.name }}"
    rules = [
        _alert(
            "ExternalSecretNotReady",
            "max by (exported_namespace, name) "
            f'(externalsecret_status_condition{{{ns}, condition="Ready", status="False"}}) == 1',
            "15m",
            "warning",
            f"{secret} is not Ready",
            f"{secret} has not synced from the secrets manager for 15 minutes; its Secret keeps the last value.",
        ),
        _alert(
            "ExternalSecretSyncErrors",
            f"sum by (exported_namespace, name) (increase(externalsecret_sync_calls_error{{{ns}}}[15m])) > 0",
            "15m",
            "warning",
            f"{secret} keeps failing to sync",
            f"Sync calls of {secret} have failed for 15 minutes (permissions, missing key or provider errors).",
        ),
        _alert(
            "ExternalSecretsOperatorDown",
            f"absent(up{{{ns}}} == 1)",
            "10m",
            "critical",
            "External Secrets Operator is not scraped",
            f"No External Secrets Operator pod in {EXTERNAL_SECRETS_NAMESPACE} has answered a scrape for "
            "10 minutes: secrets are not refreshed.",
        ),
    ]
    return _rule("external-secrets-alerts", "external-secrets.sync", rules)
