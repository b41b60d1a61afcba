"""What the inflation tests share: the chart store, the known gaps, the charts a config says it gets, the
library's Pod Security exceptions, the CRD schema overlay, and the fleet inflated the way the hub applies it
(tests/test_chart_inflation.py for every stack, tests/test_fleet_inflation.py for what is fleet-specific)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fleet_support import SPOKES
from stack_support import REPO_ROOT

from platform_kit.config.services import PolicyConfig
from platform_kit.inflate import Inflation
from platform_kit.offline.preview import StackRun, run_stack
from platform_kit.offline.preview_inflate import DEFAULT_CHART_DIR, inflate_fleet, spoke_inflation, spoke_server
from platform_kit.repo.services.policy import POLICY_NAME, policy_exceptions
from platform_kit.validation.manifests import BUNDLED_SCHEMAS

CHARTS = REPO_ROOT / DEFAULT_CHART_DIR

KNOWN_GAPS = (
    r"pulumi helm\.v3\.Release/flux-operator: chart flux-operator .* is not in ",
    r"flux HelmRelease/flux-operator: chartRef sources are not inflated offline",
)
"""What may stay un-inflated, each for a reason in tests/fixtures/charts/README.md; anything else fails."""

FLEET_KNOWN_GAPS: dict[str, tuple[str, ...]] = {}
"""Defects the fleet inflation finds and that are not fixed yet (docs/fleets.md, Limits), per spoke stack. A gap
no longer reported fails tests/test_fleet_inflation.py, so this list cannot go stale. (Empty since the hub
derives its layers from a managed spoke's stages: `infra-monitoring` used to target a path that a spoke
without secrets never seeds.)"""

"""The project's hub-managed spokes (stacks/Pulumi.spoke-*.yaml), registered on `hub`."""


def unexplained(not_inflated: Iterable[str], gaps: Iterable[str] = KNOWN_GAPS) -> list[str]:
    """The not-inflated lines no known gap explains."""
    patterns = list(gaps)
    return [line for line in not_inflated if not any(re.match(gap, line) for gap in patterns)]


def charts_of(config) -> set[str]:
    """The charts a stack's config says land on its cluster (and that are vendored); a hub-managed spoke's
    come from the hub's ApplicationSets, so no argo-cd there."""
    charts: set[str] = set()
    if config.gitops.agent == "argocd" and not (config.fleet.role == "spoke"):
        charts.add("argo-cd")
    services = config.services
    if services.secrets.enabled:
        charts.add("external-secrets")
    if services.observability.enabled:
        charts.add("kube-prometheus-stack")
    if services.policy.enabled:
        charts.add("kyverno")
    if getattr(config.cluster, "capacity", None) is not None and config.cluster.capacity.kind == "karpenter":
        charts.add("karpenter")
    addons = services.addons
    for name, chart in (
        ("load_balancer_controller", "aws-load-balancer-controller"),
        ("external_dns", "external-dns"),
        ("cert_manager", "cert-manager"),
        ("metrics_server", "metrics-server"),
    ):
        if getattr(addons, name).enabled:
            charts.add(chart)
    return charts


def exemptions(objects):
    """The library's documented exceptions: namespaces the PSS ClusterPolicy excludes, and its PolicyExceptions.

    A cluster without the policy service has neither: only Kubernetes' own Pod Security admission runs there, and
    the components' namespaces (`monitoring` included) carry no `pod-security.kubernetes.io` label, so the
    cluster's default level applies. Its pods are held to the exceptions the library documents all the same,
    the PolicyExceptions it installs with the policy service (node-exporter's host access), and nothing broader."""
    objects = list(objects)
    if not any(obj.get("kind") == "ClusterPolicy" and obj["metadata"]["name"] == POLICY_NAME for obj in objects):
        objects += policy_exceptions(PolicyConfig())
    excluded: set[str] = set()
    matches = []
    for obj in objects:
        if obj.get("kind") == "ClusterPolicy" and obj["metadata"]["name"] == POLICY_NAME:
            for rule in obj["spec"]["rules"]:
                for entry in (rule.get("exclude") or {}).get("any", []):
                    excluded |= set(entry.get("resources", {}).get("namespaces", []))
        if obj.get("kind") == "PolicyException":
            matches += [entry["resources"] for entry in obj["spec"]["match"]["any"]]

    def exempt(kind, namespace, name) -> bool:
        if namespace in excluded:
            return True
        return any(
            kind in m.get("kinds", [])
            and namespace in m.get("namespaces", [])
            and any(re.fullmatch(pattern.replace("*", ".*"), name) for pattern in m.get("names", []))
            for m in matches
        )

    return exempt


def overlay_crd_schemas(directory: Path, inflations: Iterable[Inflation]) -> Path:
    """The bundled CRD schemas copied to `directory`, overlaid with the schemas of every CRD inflated."""
    shutil.copytree(BUNDLED_SCHEMAS, directory)
    for inflation in inflations:
        for _, obj in inflation.objects():
            if obj.get("kind") != "CustomResourceDefinition":
                continue
            spec = obj["spec"]
            for version in spec["versions"]:
                schema = (version.get("schema") or {}).get("openAPIV3Schema")
                if schema:
                    target = directory / spec["group"] / f"{spec['names']['kind'].lower()}_{version['name']}.json"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(json.dumps(schema))
    return directory


@dataclass
class Fleet:
    """The project's hub and spokes run offline, and the hub inflated with the spokes' cluster Secrets."""

    runs: dict[str, StackRun]
    """Stack -> its offline run (`hub` and every spoke)."""
    whole: Inflation
    """The hub's inflation with its spokes registered (every cluster's objects, by `Source.server`)."""
    views: dict[str, Inflation]
    """Stack -> what lands on its own cluster (the hub's own sources; a spoke's Pulumi objects and what
    the hub's Applications land there)."""

    def server(self, stack: str) -> str:
        """The API server a spoke registered on the hub."""
        return spoke_server(self.runs[stack])


def inflate_project_fleet() -> Fleet:
    """Run `hub` and its spokes, inflate the hub with them (`inflate_fleet`) and split it per cluster."""
    runs = {stack: run_stack(REPO_ROOT, stack) for stack in ("hub", *SPOKES)}
    whole = inflate_fleet(runs["hub"], [runs[stack] for stack in SPOKES], CHARTS)
    views = {"hub": whole.on(""), **{stack: spoke_inflation(whole, runs[stack], CHARTS) for stack in SPOKES}}
    return Fleet(runs, whole, views)
