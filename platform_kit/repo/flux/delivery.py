"""Flux's per-object delivery rules, from the Flux Operator's `flux_resource_info` (pure).

The objects that deliver are Kustomizations and HelmReleases. Heuristics (documented in
docs/observability.md):
- deployment: a new (object, revision) pair becoming Ready; `revision` is the object's
  last attempted revision, so a Ready series with a revision not seen an hour ago is a
  revision applied within the hour. A rollback to a revision seen an hour ago is not counted.
- failed sync: a new (object, revision, reason) pair with Ready=False (Flux retries a failed
  revision every interval; each retry is not counted again).
- out of sync: not Ready (failing or still progressing) or, for a Kustomization, a last
  attempted revision that differs from its source's artifact; suspended objects are left
  to FluxReconciliationSuspended.
- failing: Ready=False and not suspended.
- team: the tenant Kustomization `team-<team>` in the Flux namespace belongs to <team>;
  everything else to `platform`.
"""

from __future__ import annotations

from typing import Any

from platform_kit.repo.services.delivery import (
    DEPLOYMENTS,
    FAILED_SYNCS,
    FAILING,
    OUT_OF_SYNC,
    agent_delivery_rule,
    new_label_sets,
    recording,
    team_labels,
)

APPLIED_REVISION = "object:flux_applied_revision:info"
"""Per Kustomization or HelmRelease and revision: present while that revision is applied (Ready)."""
FAILED_REVISION = "object:flux_failed_revision:info"
"""Per Kustomization or HelmRelease, revision and reason: present while that revision fails (Ready=False)."""

_OBJECT = "kind, exported_namespace, name"
_DELIVERING = 'kind=~"Kustomization|HelmRelease"'


def _with_team(expr: str, namespace: str) -> str:
    """`expr` (by kind, exported_namespace, name, ...) with `team` from the tenant Kustomization's name."""
    joined = f'label_join({expr}, "object", "/", "exported_namespace", "name")'
    return f"max without (object) ({team_labels(joined, 'object', f'{namespace}/team-(.+)')})"


def flux_delivery_rules(namespace: str) -> dict[str, Any]:
    """PrometheusRule `flux-delivery`: deployments, failed syncs, drift and failures per object and team."""
    objects = f"flux_resource_info{{{_DELIVERING}"
    behind = (
        "label_replace(max by (exported_namespace, name) (max by (exported_namespace, name, source_name, revision) "
        '(flux_resource_info{kind="Kustomization", suspended="False"})\n'
        "unless on (exported_namespace, source_name, revision)\n"
        'label_replace(max by (exported_namespace, name, revision) (flux_resource_info{kind=~"GitRepository|'
        'OCIRepository|Bucket"}), "source_name", "$1", "name", "(.+)")), "kind", "Kustomization", "name", ".*")'
    )
    not_ready = f'max by ({_OBJECT}) ({objects}, ready!="True", suspended="False"}})'
    rules = [
        recording(
            APPLIED_REVISION,
            _with_team(f'max by ({_OBJECT}, revision) ({objects}, ready="True"}})', namespace),
        ),
        recording(
            FAILED_REVISION,
            _with_team(
                f'max by ({_OBJECT}, revision, reason) ({objects}, ready="False", suspended="False"}})', namespace
            ),
        ),
        recording(
            DEPLOYMENTS,
            f"count by ({_OBJECT}, team) ({new_label_sets(APPLIED_REVISION, 'flux_resource_info')})",
        ),
        recording(
            FAILED_SYNCS,
            f"count by ({_OBJECT}, team) ({new_label_sets(FAILED_REVISION, 'flux_resource_info')})",
        ),
        recording(OUT_OF_SYNC, _with_team(f"{not_ready}\nor\n{behind}", namespace)),
        recording(
            FAILING,
            _with_team(f'max by ({_OBJECT}) ({objects}, ready="False", suspended="False"}})', namespace),
        ),
    ]
    return agent_delivery_rule("flux", rules, "{{ $labels.kind }} {{ $labels.exported_namespace }}/{{ $labels.name }}")
