"""Delivery insight from the cluster: recording rules, alerts and the "Delivery" dashboard (pure).

Two levels of recording rules, so that everything agent-specific stays in the agent's
package and everything here is shared:

1. Per object (a Flux Kustomization or HelmRelease, an Argo CD Application), recorded by
   the agent's `<agent>-delivery` PrometheusRule from the agent's own metrics, each series
   labelled with the object's `team` (see `team_labels`):
   `object:delivery_deployments:increase1h`, `object:delivery_failed_syncs:increase1h`,
   `object:delivery_out_of_sync:info` (present while the object has drifted from Git) and
   `object:delivery_failing:info` (present while it fails). `object_state_rules` (shared)
   turns the last two into how long each state has lasted.
2. Per environment and team, recorded by the `platform-delivery` PrometheusRule below from
   those per-object series alone, so it is the same for both agents. Its rules carry the
   environment as a rule label, `${PLATFORM_ENVIRONMENT}` from the metadata contract
   (Flux substitutes it, Argo CD's stage Application patches it): the one monitoring object
   that allows substitution, so it holds no other `$`.

The Delivery dashboard reads only level 2 (and the per-object durations), so it is the
same for both agents too.
"""

from __future__ import annotations

from typing import Any

from platform_kit.config.metadata import variable
from platform_kit.repo.services.alerts import alert, prometheus_rule
from platform_kit.repo.services.dashboards import dashboard, dashboard_config_map, panel, target
from platform_kit.repo.services.monitoring_base import MONITORING_API, monitoring_meta

PLATFORM_TEAM = "platform"
"""`team` of every object that belongs to no team (the platform's own layers)."""

DEPLOYMENTS = "object:delivery_deployments:increase1h"
"""Per object: new revisions applied (Flux) or successful syncs (Argo CD) in the last hour."""
FAILED_SYNCS = "object:delivery_failed_syncs:increase1h"
"""Per object: failed sync attempts in the last hour."""
OUT_OF_SYNC = "object:delivery_out_of_sync:info"
"""Per object, present (value 1) while the object's live state does not follow Git."""
FAILING = "object:delivery_failing:info"
"""Per object, present (value 1) while the object fails to reconcile or is unhealthy."""
OUT_OF_SYNC_SINCE = "object:delivery_out_of_sync_since:timestamp"
OUT_OF_SYNC_DURATION = "object:delivery_out_of_sync_duration_seconds"
FAILING_SINCE = "object:delivery_failing_since:timestamp"
FAILING_DURATION = "object:delivery_failing_duration_seconds"

TEAM_DEPLOYMENTS = "environment_team:delivery_deployments:increase1h"
TEAM_FAILED_SYNCS = "environment_team:delivery_failed_syncs:increase1h"
TEAM_OUT_OF_SYNC = "environment_team:delivery_out_of_sync_objects:count"
TEAM_DRIFT_DURATION = "environment_team:delivery_out_of_sync_duration_seconds:max"
TEAM_TIME_TO_RECOVER = "environment_team:delivery_time_to_recover_seconds:avg1d"

DRIFT_ALERT_AFTER_SECONDS = 7200
"""A drift older than this (2 hours) raises DeliveryDriftPersists (the agent's own drift alert fires at 30 minutes)."""
FAILED_SYNCS_ALERT_THRESHOLD = 3
"""This many failed syncs of one team within an hour raise DeliverySyncsFailing."""


def recording(record: str, expr: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"record": record, "expr": expr}
    if labels:
        rule["labels"] = dict(labels)
    return rule


def team_labels(expr: str, source: str, pattern: str) -> str:
    """`expr` with a `team` label: the first group of `pattern` matched against label `source`, else `platform`."""
    platform = f'label_replace({expr}, "team", "{PLATFORM_TEAM}", "{source}", ".*")'
    return f'label_replace({platform}, "team", "$1", "{source}", "{pattern}")'


def new_label_sets(series: str, guard: str) -> str:
    """Label sets of `series` seen in the last hour but not an hour ago (nothing while `guard` has no history)."""
    return f"(max_over_time({series}[1h]) unless {series} offset 1h)\nand on () (count({guard} offset 1h) > 0)"


def _since(since: str, state: str) -> str:
    """Self-referencing rule: keeps the time a `state` series first appeared while it stays present."""
    return f"({since} and {state})\nor (0 * {state} + time())"


def object_state_rules() -> list[dict[str, Any]]:
    """How long each object has been out of sync and failing (the same for both agents; after the state rules)."""
    return [
        recording(OUT_OF_SYNC_SINCE, _since(OUT_OF_SYNC_SINCE, OUT_OF_SYNC)),
        recording(OUT_OF_SYNC_DURATION, f"time() - {OUT_OF_SYNC_SINCE}"),
        recording(FAILING_SINCE, _since(FAILING_SINCE, FAILING)),
        recording(FAILING_DURATION, f"time() - {FAILING_SINCE}"),
    ]


def delivery_alerts(describe_object: str) -> list[dict[str, Any]]:
    """Alerts on drift that persists and on repeated failed syncs, labelled with the team for routing."""
    hours = DRIFT_ALERT_AFTER_SECONDS // 3600
    return [
        alert(
            "DeliveryDriftPersists",
            f"{OUT_OF_SYNC_DURATION} > {DRIFT_ALERT_AFTER_SECONDS}",
            "5m",
            "critical",
            f"{describe_object} of team {{{{ $labels.team }}}} has drifted from Git for over {hours} hours",
            f"{describe_object} has not followed Git for {{{{ $value | humanizeDuration }}}}: changes merged "
            "since then are not running and live edits are not reverted.",
        ),
        alert(
            "DeliverySyncsFailing",
            f"sum by (team) ({FAILED_SYNCS}) >= {FAILED_SYNCS_ALERT_THRESHOLD}",
            "5m",
            "warning",
            "Team {{ $labels.team }} has repeated failed syncs",
            "{{ $value }} syncs of team {{ $labels.team }}'s objects failed in the last hour.",
        ),
    ]


def delivery_rule() -> dict[str, Any]:
    """PrometheusRule `platform-delivery`: per environment and team, from the per-object series of either agent.

    The only monitoring object left to variable substitution: it carries the environment
    from the metadata contract and contains no other `$`.
    """
    environment = {"environment": variable("environment")}
    rules = [
        recording(TEAM_DEPLOYMENTS, f"sum by (team) ({DEPLOYMENTS})", environment),
        recording(TEAM_FAILED_SYNCS, f"sum by (team) ({FAILED_SYNCS})", environment),
        recording(TEAM_OUT_OF_SYNC, f"count by (team) ({OUT_OF_SYNC})", environment),
        # From the start times, which stay put, not from the durations another group updates every evaluation.
        recording(TEAM_DRIFT_DURATION, f"max by (team) (time() - {OUT_OF_SYNC_SINCE})", environment),
        # Each object's latest failure that ended within a day lasted as long as its duration's maximum.
        recording(
            TEAM_TIME_TO_RECOVER,
            f"avg by (team) (max_over_time({FAILING_DURATION}[1d]) unless {FAILING})",
            environment,
        ),
    ]
    return {
        "apiVersion": MONITORING_API,
        "kind": "PrometheusRule",
        "metadata": monitoring_meta("platform-delivery"),
        "spec": {"groups": [{"name": "platform.delivery", "rules": rules}]},
    }


def agent_delivery_rule(agent: str, object_rules: list[dict[str, Any]], describe_object: str) -> dict[str, Any]:
    """PrometheusRule `<agent>-delivery`: the agent's per-object rules, the shared state durations and alerts."""
    rules = [*object_rules, *object_state_rules(), *delivery_alerts(describe_object)]
    return prometheus_rule(f"{agent}-delivery", f"{agent}.delivery", rules)


def delivery_dashboard() -> dict[str, Any]:
    """Dashboard ConfigMap "Platform / Delivery": deployments, failed syncs, drift and time to recover per team."""
    by_team = "{{environment}} / {{team}}"
    panels = [
        panel("stat", "Deployments in the last hour", [target(f"sum({TEAM_DEPLOYMENTS}) or vector(0)")]),
        panel("stat", "Failed syncs in the last hour", [target(f"sum({TEAM_FAILED_SYNCS}) or vector(0)")]),
        panel("stat", "Objects out of sync", [target(f"sum({TEAM_OUT_OF_SYNC}) or vector(0)")]),
        panel("stat", "Longest drift", [target(f"max({TEAM_DRIFT_DURATION}) or vector(0)")], "s"),
        panel(
            "timeseries",
            "Deployments per hour by team",
            [target(f"sum by (environment, team) ({TEAM_DEPLOYMENTS})", by_team)],
        ),
        panel(
            "timeseries",
            "Failed syncs per hour by team",
            [target(f"sum by (environment, team) ({TEAM_FAILED_SYNCS})", by_team)],
        ),
        panel(
            "timeseries",
            "Drift duration by team (longest)",
            [target(f"max by (environment, team) ({TEAM_DRIFT_DURATION})", by_team)],
            "s",
        ),
        panel(
            "timeseries",
            "Time to recover by team (mean over a day)",
            [target(f"max by (environment, team) ({TEAM_TIME_TO_RECOVER})", by_team)],
            "s",
        ),
        panel("table", "Objects out of sync", [target(OUT_OF_SYNC_DURATION, instant=True)], "s"),
    ]
    model = dashboard("platform-delivery", "Platform / Delivery", ["gitops", "delivery"], panels)
    return dashboard_config_map("delivery", model)


def delivery_objects(agent_rule: dict[str, Any]) -> list[dict[str, Any]]:
    """The agent's per-object rule plus the shared per-team rule and dashboard."""
    return [agent_rule, delivery_rule(), delivery_dashboard()]
