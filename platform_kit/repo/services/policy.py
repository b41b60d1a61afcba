"""Kyverno and the Pod Security Standards policies (pure builders).

The base policies are always `Audit`: they report violations in PolicyReports and never
block a Pod, and their webhook fails open (`webhookConfiguration.failurePolicy: Ignore`; the
top-level `spec.failurePolicy` is deprecated since Kyverno 1.15), so a Kyverno outage
cannot stop Pods from starting. An environment switches to `Enforce` with the kustomize
patches of `failure_action_patches`, which also make the webhook fail closed.

Namespaces the platform does not control (kube-system, the agent's namespace, kyverno)
are excluded by name. The platform's own components that legitimately break a control
get a narrow `PolicyException` instead: one set of pods, by namespace and name pattern,
for the named Pod Security controls only, so the exclusion list stays short.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import yaml

from platform_kit.config.services import PolicyConfig
from platform_kit.repo.services.charts import HelmChart

KYVERNO_NAMESPACE = "kyverno"
"""Namespace of Kyverno and the only namespace where PolicyExceptions are honoured."""

KYVERNO_CHART_REPOSITORY = "https://kyverno.github.io/kyverno/"
"""Helm repository of the kyverno chart."""

POLICY_NAME = "pod-security-standards"
"""The ClusterPolicy applying the Pod Security Standards."""

RULE_NAME = "pod-security"
"""Its single validate rule (the rule at index 0, which `failure_action_patches` switches)."""

AUTOGEN_RULE_NAMES = (f"autogen-{RULE_NAME}", f"autogen-cronjob-{RULE_NAME}")
"""Rules Kyverno generates for Pod controllers; exceptions name them too, or the controller is blocked."""

POLICY_GROUP_LABEL = "platform-kit.io/policy-group"
"""Label carried by every platform ClusterPolicy; the Enforce patch selects policies by it."""

POLICY_GROUP = "platform"
"""Value of POLICY_GROUP_LABEL on the platform's policies."""

ENFORCE_ADMISSION_REPLICAS = 3
"""Admission controller replicas when policies block Pods (the webhook then fails closed: HA matters)."""

AUDIT_ADMISSION_REPLICAS = 1
"""Admission controller replicas when policies only report (the webhook fails open)."""

_LABELS = {"app.kubernetes.io/part-of": "platform", POLICY_GROUP_LABEL: POLICY_GROUP}
_REASON = "platform-kit.io/reason"
"""Annotation carrying the reason of a PolicyException."""


def kyverno_chart(config: PolicyConfig) -> HelmChart:
    """The kyverno chart: PolicyExceptions allowed only in the kyverno namespace, HA when enforcing.

    Audit: one admission controller replica is enough, since the policies never block and
    their webhook ignores failures. Enforce: three replicas (the chart then adds a
    PodDisruptionBudget), because every Pod admission outside the excluded namespaces
    waits for Kyverno.
    """
    replicas = ENFORCE_ADMISSION_REPLICAS if config.mode == "Enforce" else AUDIT_ADMISSION_REPLICAS
    return HelmChart(
        release="kyverno",
        namespace=KYVERNO_NAMESPACE,
        repo_url=KYVERNO_CHART_REPOSITORY,
        chart="kyverno",
        version=config.chart_version,
        values={
            "features": {"policyExceptions": {"enabled": True, "namespace": KYVERNO_NAMESPACE}},
            "admissionController": {"replicas": replicas},
        },
        create_namespace=True,
    )


def policy_objects(config: PolicyConfig, platform_namespaces: Sequence[str]) -> list[dict[str, Any]]:
    """The Pod Security Standards ClusterPolicy (always Audit) and the platform's PolicyExceptions.

    `platform_namespaces` are excluded from the policy by name (sorted, without duplicates);
    pass the namespaces whose workloads the platform does not shape (kube-system, the
    agent's, kyverno). Monitoring and external-secrets need no exclusion: their one
    non-compliant workload has an exception below.
    """
    return [pod_security_policy(config, platform_namespaces), *policy_exceptions(config)]


def pod_security_policy(config: PolicyConfig, platform_namespaces: Sequence[str]) -> dict[str, Any]:
    """One ClusterPolicy, one rule: `validate.podSecurity` at `config.level` for every Pod."""
    rule: dict[str, Any] = {"name": RULE_NAME, "match": {"any": [{"resources": {"kinds": ["Pod"]}}]}}
    excluded = sorted(set(platform_namespaces))
    if excluded:
        rule["exclude"] = {"any": [{"resources": {"namespaces": excluded}}]}
    rule["validate"] = {
        "failureAction": "Audit",
        "podSecurity": {"level": config.level, "version": "latest"},
    }
    return {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {
            "name": POLICY_NAME,
            "labels": dict(_LABELS),
            "annotations": {
                "policies.kyverno.io/title": f"Pod Security Standards ({config.level})",
                "policies.kyverno.io/category": "Pod Security Standards",
                "policies.kyverno.io/subject": "Pod",
                "policies.kyverno.io/description": (
                    f"Pods outside the platform namespaces must meet the {config.level} Pod Security Standard. "
                    "Audit in the base; the environment overlay switches it to Enforce."
                ),
            },
        },
        "spec": {
            "background": True,
            # Fail open while auditing; the Enforce patch switches this to Fail.
            "webhookConfiguration": {"failurePolicy": "Ignore"},
            "rules": [rule],
        },
    }


def policy_exceptions(config: PolicyConfig) -> list[dict[str, Any]]:
    """Narrow PolicyExceptions for the platform's own components, sorted by name."""
    # prometheus-node-exporter (kube-prometheus-stack) reads the node's /proc, /sys and root
    # filesystem and serves metrics on the node's network: host network and PID namespaces,
    # hostPath volumes and the host port 9100 that hostNetwork implies. Everything else it
    # needs (non-root, no privilege escalation, all capabilities dropped, RuntimeDefault
    # seccomp) is set in the chart values, so only these controls are excepted.
    controls: list[dict[str, Any]] = [
        {"controlName": "Host Namespaces", "restrictedField": "spec.hostNetwork", "values": ["true"]},
        {"controlName": "Host Namespaces", "restrictedField": "spec.hostPID", "values": ["true"]},
        {
            "controlName": "Host Ports",
            "images": ["*/prometheus/node-exporter*"],
            "restrictedField": "spec.containers[*].ports[*].hostPort",
            "values": ["9100"],
        },
        {
            "controlName": "HostPath Volumes",
            "restrictedField": "spec.volumes[*].hostPath",
            "values": ["/", "/proc", "/sys"],
        },
    ]
    if config.level == "restricted":
        # The restricted profile also limits volume types, and hostPath is not among them.
        controls.append({"controlName": "Volume Types"})
    node_exporter = _exception(
        name="prometheus-node-exporter",
        namespace="monitoring",
        kinds=("DaemonSet", "Pod"),
        # Any release name: Flux may prefix the release with its target namespace.
        names=("*prometheus-node-exporter*",),
        controls=controls,
        reason=(
            "node-exporter reads the node's /proc, /sys and root filesystem and listens on the node network "
            "(hostNetwork, hostPID, hostPath, hostPort 9100)."
        ),
    )
    return [node_exporter]


def _exception(
    *,
    name: str,
    namespace: str,
    kinds: tuple[str, ...],
    names: tuple[str, ...],
    controls: list[dict[str, Any]],
    reason: str,
) -> dict[str, Any]:
    """A PolicyException in the kyverno namespace for pods `names` in `namespace`, for `controls` only."""
    return {
        "apiVersion": "kyverno.io/v2",
        "kind": "PolicyException",
        "metadata": {
            "name": name,
            "namespace": KYVERNO_NAMESPACE,
            "labels": {"app.kubernetes.io/part-of": "platform"},
            "annotations": {_REASON: reason},
        },
        "spec": {
            "exceptions": [{"policyName": POLICY_NAME, "ruleNames": [RULE_NAME, *AUTOGEN_RULE_NAMES]}],
            "match": {"any": [{"resources": {"kinds": list(kinds), "namespaces": [namespace], "names": list(names)}}]},
            "podSecurity": controls,
        },
    }


def failure_action_patches(mode: Literal["Audit", "Enforce"]) -> list[dict[str, Any]]:
    """Kustomize `patches` entries switching every platform ClusterPolicy to `mode` (none for Audit).

    Each platform policy has exactly one validate rule at index 0. Enforce also makes the
    webhook fail closed (`webhookConfiguration.failurePolicy: Fail`): an enforced policy that silently stops
    checking when Kyverno is down would not be enforced.
    """
    if mode == "Audit":
        return []
    operations = [
        {"op": "replace", "path": "/spec/rules/0/validate/failureAction", "value": mode},
        {"op": "replace", "path": "/spec/webhookConfiguration/failurePolicy", "value": "Fail"},
    ]
    return [
        {
            "target": {
                "group": "kyverno.io",
                "version": "v1",
                "kind": "ClusterPolicy",
                "labelSelector": f"{POLICY_GROUP_LABEL}={POLICY_GROUP}",
            },
            "patch": yaml.safe_dump(operations, sort_keys=False),
        }
    ]
