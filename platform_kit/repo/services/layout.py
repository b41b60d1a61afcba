"""Where the platform services live in the config repo, for every agent (pure).

Each environment gets an overlay directory, `infrastructure/<env>/`, applied in stages:

    controllers/     shared infrastructure/controllers + ESO and Kyverno charts
    configs/         shared infrastructure/configs + ClusterSecretStore, monitoring
                     namespace, Grafana admin ExternalSecret, Kyverno policies
                     (shared base infrastructure/policies + this environment's patches)
    observability/   kube-prometheus-stack chart (its admin secret exists by now)
    monitoring/      rules, monitors and dashboards (need kube-prometheus-stack's CRDs)

Charts are agent-specific (Flux: HelmRepository + HelmRelease files in the stage
directory; Argo CD: Applications in clusters/<env>/), and so is the agent's own
monitoring: both come from the `AgentLayout` these functions receive. Every other object
is shared by both agents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from platform_kit.config.models import PlatformConfig
from platform_kit.config.services import PolicyConfig
from platform_kit.repo.agent import AgentLayout
from platform_kit.repo.manifest import Manifest, kustomization, yaml_file
from platform_kit.repo.services.addons import addon_charts, addon_cluster_kinds, addon_objects
from platform_kit.repo.services.auto_mode import CLUSTER_KINDS as AUTO_MODE_KINDS
from platform_kit.repo.services.auto_mode import auto_mode_objects
from platform_kit.repo.services.charts import HelmChart
from platform_kit.repo.services.karpenter import CLUSTER_KINDS as KARPENTER_KINDS
from platform_kit.repo.services.karpenter import karpenter_chart, karpenter_objects
from platform_kit.repo.services.network_policies import addon_network_policies, service_network_policies
from platform_kit.repo.services.observability import MONITORING_NAMESPACE, monitoring_objects, prometheus_stack_chart
from platform_kit.repo.services.policy import failure_action_patches, kyverno_chart, policy_objects
from platform_kit.repo.services.secrets import (
    ESO_NAMESPACE,
    GRAFANA_ADMIN_SECRET,
    cluster_secret_store,
    eso_chart,
    grafana_admin_external_secret,
)
from platform_kit.repo.shared import PLATFORM_NAMESPACE

STAGES = ("controllers", "configs", "observability", "monitoring")
"""Order in which an environment's overlay directories are applied."""

DEFAULT_AGENT_NAMESPACES = ("argocd", "flux-system")
"""Agent namespaces the shared policy base exempts; another namespace is added per environment."""

POLICY_BASE = "infrastructure/policies"
"""Shared Kyverno policy base (Audit); environments switch it to Enforce in their overlay."""


@dataclass(frozen=True)
class Stage:
    """One applied step of an environment's overlay."""

    name: str
    """Stage name (`controllers`, ...)."""
    path: str
    """Directory in the repo."""
    objects: list[dict[str, Any]] = field(default_factory=list)
    """Objects defined in this directory (shared bases excluded)."""
    charts: list[HelmChart] = field(default_factory=list)
    """Charts installed in this stage."""
    bases: list[str] = field(default_factory=list)
    """Shared directories this stage includes (relative to the stage directory)."""
    patches: list[dict[str, Any]] = field(default_factory=list)
    """Kustomize patches over the included bases."""


def env_dir(config: PlatformConfig) -> str:
    """The environment's overlay directory."""
    return f"infrastructure/{config.environment}"


def platform_namespaces(config: PlatformConfig) -> tuple[str, ...]:
    """Namespaces the ClusterSecretStore serves: the platform's own."""
    return tuple(sorted({PLATFORM_NAMESPACE, MONITORING_NAMESPACE, ESO_NAMESPACE}))


def exempt_namespaces() -> list[str]:
    """Namespaces the shared policy base exempts from Pod Security Standards."""
    return sorted({"kube-system", "kyverno", *DEFAULT_AGENT_NAMESPACES})


def policy_patches(config: PlatformConfig) -> list[dict[str, Any]]:
    """This environment's changes to the shared policy base: failure action, level, agent namespace."""
    policy = config.services.policy
    patches = list(failure_action_patches(policy.mode))
    operations = []
    if policy.level != PolicyConfig().level:
        operations.append(f"- op: replace\n  path: /spec/rules/0/validate/podSecurity/level\n  value: {policy.level}\n")
    if config.gitops.namespace not in DEFAULT_AGENT_NAMESPACES:
        operations.append(
            "- op: add\n  path: /spec/rules/0/exclude/any/0/resources/namespaces/-\n"
            f"  value: {config.gitops.namespace}\n"
        )
    if operations:
        patches.append({"target": {"group": "kyverno.io", "kind": "ClusterPolicy"}, "patch": "".join(operations)})
    return patches


def controller_charts(config: PlatformConfig) -> list[HelmChart]:
    """The controllers stage's charts, in install order: Karpenter, the AWS add-ons, external-secrets, Kyverno."""
    services, irsa = config.services, config.workload_identity == "irsa"
    capacity = getattr(config.cluster, "capacity", None)
    charts = [karpenter_chart(capacity, irsa)] if capacity is not None and capacity.kind == "karpenter" else []
    charts.extend(addon_charts(services.addons, irsa))
    if services.secrets.enabled:
        charts.append(eso_chart(services.secrets, config.secrets_auth, irsa))
    if services.policy.enabled:
        charts.append(kyverno_chart(services.policy))
    return charts


def observability_charts(config: PlatformConfig) -> list[HelmChart]:
    """The observability stage's chart: kube-prometheus-stack when observability is on."""
    observability = config.services.observability
    if not observability.enabled:
        return []
    admin = GRAFANA_ADMIN_SECRET if config.services.secrets.enabled else None
    return [prometheus_stack_chart(observability, admin)]


def stages(config: PlatformConfig, agent: AgentLayout) -> list[Stage]:
    """The environment's non-empty stages, in order, with their objects and charts.

    Objects and chart values reference the contract as `${PLATFORM_*}` (Flux substitutes
    them; Argo CD patches them).
    """
    services = config.services
    root = env_dir(config)
    secrets_on, observability_on, policy_on = (
        services.secrets.enabled,
        services.observability.enabled,
        services.policy.enabled,
    )

    controllers = Stage("controllers", f"{root}/controllers", bases=["../../controllers"])
    configs = Stage("configs", f"{root}/configs", bases=["../../configs"])
    observability = Stage("observability", f"{root}/observability")
    monitoring = Stage("monitoring", f"{root}/monitoring")
    capacity = getattr(config.cluster, "capacity", None)
    karpenter = capacity is not None and capacity.kind == "karpenter"
    controllers.charts.extend(controller_charts(config))
    observability.charts.extend(observability_charts(config))
    if karpenter:
        configs.objects.extend(karpenter_objects(capacity))
    if capacity is not None and capacity.kind == "autoMode":
        configs.objects.extend(auto_mode_objects(capacity))
    configs.objects.extend(addon_objects(services.addons))
    # in `configs`: the charts' installs (external-secrets: Pulumi's bootstrap) have created the namespaces by then
    eks, pod_identity = config.cluster.kind == "eks", config.workload_identity == "pod-identity"
    configs.objects.extend(addon_network_policies(services.addons, karpenter, eks, pod_identity))
    configs.objects.extend(service_network_policies(secrets_on, policy_on, observability_on, eks, pod_identity))
    if secrets_on:
        configs.objects.append(cluster_secret_store(config.secrets_auth, platform_namespaces(config)))
    if policy_on:
        configs.bases.append(f"../../{POLICY_BASE.removeprefix('infrastructure/')}")
        configs.patches.extend(policy_patches(config))
    if observability_on:
        configs.objects.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": MONITORING_NAMESPACE}})
        if secrets_on:
            configs.objects.append(grafana_admin_external_secret(MONITORING_NAMESPACE))
        monitoring.objects.extend(monitoring_objects(agent.monitoring_objects(), secrets_on))
    return [
        stage
        for stage in (controllers, configs, observability, monitoring)
        if stage.objects or stage.charts or stage.bases
    ]


def policy_base_files() -> list[Manifest]:
    """The shared Kyverno policy base (identical for every environment)."""
    objects = policy_objects(PolicyConfig(), exempt_namespaces())
    return [kustomization(POLICY_BASE, ["policies.yaml"]), yaml_file(f"{POLICY_BASE}/policies.yaml", *objects)]


def overlay_files(config: PlatformConfig, stage_list: list[Stage], agent: AgentLayout) -> list[Manifest]:
    """The stage directories, with the agent's chart objects where it keeps them in the stage (Flux)."""
    files = []
    for stage in stage_list:
        wrapped = [(chart, objects) for chart in stage.charts if (objects := agent.stage_chart_objects(chart))]
        if not (stage.bases or stage.objects or wrapped):
            continue  # only charts, installed by the agent's own objects: no directory
        resources = list(stage.bases)
        if stage.objects:
            files.append(yaml_file(f"{stage.path}/{stage.name}.yaml", *stage.objects))
            resources.append(f"{stage.name}.yaml")
        for chart, objects in wrapped:
            files.append(yaml_file(f"{stage.path}/{chart.release}.yaml", *objects))
            resources.append(f"{chart.release}.yaml")
        extra = {"patches": stage.patches} if stage.patches else {}
        files.append(kustomization(stage.path, resources, **extra))
    if config.services.policy.enabled:
        files.extend(policy_base_files())
    return files


def service_destinations(config: PlatformConfig, agent: AgentLayout) -> tuple[list[str], list[str]]:
    """(namespaces, chart repositories) the services of `config` install into and pull from."""
    stage_list = stages(config, agent)
    charts = [chart for stage in stage_list for chart in stage.charts]
    namespaces = {namespace for chart in charts for namespace in (chart.namespace, *chart.other_namespaces)}
    namespaces |= {o["metadata"]["namespace"] for s in stage_list for o in s.objects if "namespace" in o["metadata"]}
    return sorted(namespaces), sorted({chart.helm_repo_url for chart in charts})


def extra_cluster_kinds(config: PlatformConfig) -> tuple[tuple[str, str], ...]:
    """Cluster-scoped kinds Karpenter, Auto Mode and the enabled add-ons bring (the Argo CD project permits them)."""
    kind = getattr(getattr(config.cluster, "capacity", None), "kind", None)
    capacity = {"karpenter": KARPENTER_KINDS, "autoMode": AUTO_MODE_KINDS}.get(kind or "", ())
    return tuple(dict.fromkeys((*capacity, *addon_cluster_kinds(config.services.addons))))
