"""Argo CD objects for the platform services: one Application per stage and per chart (pure).

Stage directories are shared with Flux (`platform_kit.repo.services.layout`). Argo CD
installs each chart through an Application with a Helm source and applies each stage
directory through an Application whose kustomize patches restate the `${PLATFORM_*}`
fields of the stage's objects; the root Application fills every placeholder in these
Applications from the metadata contract (`platform_kit.repo.argocd.root`).
"""

from __future__ import annotations

from typing import Any

from platform_kit.config.gitops import ArgoCdConfig
from platform_kit.repo.argocd.objects import config_repo_source, layer_application
from platform_kit.repo.argocd.patches import placeholder_patches
from platform_kit.repo.services.charts import HelmChart
from platform_kit.repo.services.layout import Stage
from platform_kit.repo.shared import PLATFORM_NAMESPACE, platform_namespace_objects

STAGE_SYNC_OPTIONS = ("SkipDryRunOnMissingResource=true", "ServerSideApply=true")
"""Stage objects may use CRDs installed by the previous wave; large CRDs need server-side apply."""


def chart_application(argocd: ArgoCdConfig, chart: HelmChart, wave: int) -> dict[str, Any]:
    """An Application installing `chart` at sync wave `wave`."""
    options = ("ServerSideApply=true", *(("CreateNamespace=true",) if chart.create_namespace else ()))
    source = {
        "repoURL": chart.helm_repo_url,
        "chart": chart.chart,
        "targetRevision": chart.version,
        "helm": {"releaseName": chart.release, "valuesObject": chart.values},
    }
    return layer_application(argocd, chart.release, source, wave, namespace=chart.namespace, sync_options=options)


def stage_application(argocd: ArgoCdConfig, stage: Stage, wave: int) -> dict[str, Any]:
    """An Application applying the stage directory, with patches for its placeholders."""
    source = config_repo_source(stage.path)
    shared = platform_namespace_objects() if "../../configs" in stage.bases else []
    patches = placeholder_patches([*shared, *stage.objects])
    if patches:
        source["kustomize"] = {"patches": patches}
    return layer_application(
        argocd, f"infra-{stage.name}", source, wave, namespace=PLATFORM_NAMESPACE, sync_options=STAGE_SYNC_OPTIONS
    )


def stage_applications(
    argocd: ArgoCdConfig, stage_list: list[Stage], first_wave: int
) -> tuple[list[dict[str, Any]], int]:
    """Applications for every stage (directory and charts), one wave per stage; and the next free wave."""
    applications, wave = [], first_wave
    for stage in stage_list:
        if stage.objects or stage.bases:
            applications.append(stage_application(argocd, stage, wave))
        applications.extend(chart_application(argocd, chart, wave) for chart in stage.charts)
        wave += 1
    return applications, wave
