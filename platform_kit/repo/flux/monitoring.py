"""Monitoring of Flux: its scrape configs, alerts and Grafana dashboard (pure).

Label conventions of the metrics: see `platform_kit.repo.services.observability`.
"""

from __future__ import annotations

from typing import Any

from platform_kit.repo.flux.delivery import flux_delivery_rules
from platform_kit.repo.services.alerts import alert, prometheus_rule
from platform_kit.repo.services.dashboards import dashboard, dashboard_config_map, panel, target
from platform_kit.repo.services.delivery import delivery_objects
from platform_kit.repo.services.observability import pod_monitor


def monitoring_objects(namespace: str) -> list[dict[str, Any]]:
    """Everything that makes Flux in `namespace` observable (ESO's objects are added by the caller)."""
    return [
        *flux_monitors(namespace),
        flux_rules(namespace),
        flux_dashboard(namespace),
        *delivery_objects(flux_delivery_rules(namespace)),
    ]


def flux_monitors(namespace: str) -> list[dict[str, Any]]:
    """PodMonitors for the Flux controllers (`gotk_*`, controller-runtime) and the Flux Operator (`flux_*_info`)."""
    return [
        pod_monitor("flux-controllers", namespace, {"app.kubernetes.io/part-of": "flux"}, "http-prom"),
        pod_monitor("flux-operator", namespace, {"app.kubernetes.io/name": "flux-operator"}, "http-metrics"),
    ]


_OBJECT = "{{ $labels.kind }} {{ $labels.exported_namespace }}/{{ $labels.name }}"


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
        alert(
            "FluxReconciliationFailed",
            f'{by_object} (flux_resource_info{{ready="False", suspended="False"}}) == 1',
            "15m",
            "critical",
            f"{_OBJECT} fails to reconcile",
            f"{_OBJECT} has been not Ready for 15 minutes; the cluster no longer follows Git for it. "
            "See `flux get all -A --status-selector ready=false` and its events.",
        ),
        alert(
            "FluxReconciliationStalled",
            f'{by_object} (flux_resource_info{{ready="Unknown", suspended="False"}}) == 1',
            "30m",
            "warning",
            f"{_OBJECT} is stuck reconciling",
            f"{_OBJECT} has been progressing for 30 minutes without becoming Ready (waiting on dependencies, "
            "health checks or a hung controller).",
        ),
        alert(
            "FluxReconciliationSuspended",
            f'{by_object} (flux_resource_info{{suspended="True"}}) == 1',
            "12h",
            "warning",
            f"{_OBJECT} is suspended",
            f"{_OBJECT} has been suspended for 12 hours: changes in Git are not applied and drift is not "
            "corrected. Resume it with `flux resume`.",
        ),
        alert(
            "FluxClusterBehindGit",
            behind,
            "30m",
            "warning",
            "Kustomization {{ $labels.exported_namespace }}/{{ $labels.name }} lags behind its source",
            "Kustomization {{ $labels.exported_namespace }}/{{ $labels.name }} last attempted revision "
            "{{ $labels.revision }}, which is not the current revision of source {{ $labels.source_name }}: "
            "the cluster has drifted from Git for 30 minutes.",
        ),
        alert(
            "FluxDriftCorrectionStopped",
            f"sum(increase({kustomization_reconciles}[2h])) == 0\nor absent({kustomization_reconciles})",
            "15m",
            "critical",
            "Flux stopped reconciling Kustomizations",
            f"No Kustomization was reconciled by kustomize-controller in {namespace} for 2 hours (or its metrics "
            "are missing): nothing from Git is applied and drift is not corrected.",
        ),
        alert(
            "FluxControllerReconcileErrors",
            f"sum by (controller) (rate(controller_runtime_reconcile_errors_total{{{ns}}}[10m])) > 0",
            "30m",
            "warning",
            "Flux controller {{ $labels.controller }} keeps failing",
            f"The {{{{ $labels.controller }}}} controller in {namespace} has returned reconcile errors for 30 minutes.",
        ),
        alert(
            "FluxOperatorMetricsAbsent",
            "absent(flux_resource_info)",
            "15m",
            "warning",
            "Flux resource metrics are missing",
            f"The Flux Operator in {namespace} exports no flux_resource_info: the other Flux alerts are blind.",
        ),
    ]
    return prometheus_rule("flux-alerts", "flux.reconciliation", rules)


def flux_dashboard(namespace: str) -> dict[str, Any]:
    """Dashboard ConfigMap: Flux resource state, reconcile rate, errors and duration."""
    ns = f'namespace="{namespace}"'
    rate = "[$__rate_interval]"
    panels = [
        panel("stat", "Resources not ready", [target('count(flux_resource_info{ready="False"}) or vector(0)')]),
        panel("stat", "Resources progressing", [target('count(flux_resource_info{ready="Unknown"}) or vector(0)')]),
        panel("stat", "Resources suspended", [target('count(flux_resource_info{suspended="True"}) or vector(0)')]),
        panel("stat", "Resources total", [target("count(flux_resource_info) or vector(0)")]),
        panel(
            "timeseries",
            "Reconciliations per second by kind",
            [target(f"sum by (kind) (rate(gotk_reconcile_duration_seconds_count{{{ns}}}{rate}))", "{{kind}}")],
            "ops",
        ),
        panel(
            "timeseries",
            "Reconcile errors per second by controller",
            [
                target(
                    f"sum by (controller) (rate(controller_runtime_reconcile_errors_total{{{ns}}}{rate}))",
                    "{{controller}}",
                )
            ],
            "ops",
        ),
        panel(
            "timeseries",
            "Reconcile duration p95 by kind",
            [
                target(
                    "histogram_quantile(0.95, sum by (kind, le) "
                    f"(rate(gotk_reconcile_duration_seconds_bucket{{{ns}}}{rate})))",
                    "{{kind}}",
                )
            ],
            "s",
        ),
        panel(
            "timeseries",
            "Reconciliations per second by result",
            [target(f"sum by (result) (rate(controller_runtime_reconcile_total{{{ns}}}{rate}))", "{{result}}")],
            "ops",
        ),
        panel(
            "table",
            "Resources not ready",
            [
                target(
                    "max by (kind, exported_namespace, name, ready, reason, suspended) "
                    '(flux_resource_info{ready!="True"})',
                    instant=True,
                )
            ],
        ),
    ]
    return dashboard_config_map("flux", dashboard("platform-flux", "Platform / Flux", ["gitops", "flux"], panels))
