"""Argo CD objects for the platform services: one ApplicationSet per stage and per chart (pure).

Stage directories are shared with Flux (`platform_kit.repo.services.layout`); Argo CD
installs each chart through an ApplicationSet with a Helm source, whose values may read
contract fields from the cluster Secret (Go templates), and applies the stage directories
with kustomize patches that fill their `${PLATFORM_*}` placeholders.
"""

from __future__ import annotations

from typing import Any

from platform_kit.config.gitops import ArgoCdConfig
from platform_kit.config.models import PlatformConfig
from platform_kit.repo.argocd import layer_application_set
from platform_kit.repo.argocd_patches import contract_patches
from platform_kit.repo.services.charts import HelmChart
from platform_kit.repo.services.layout import Stage
from platform_kit.repo.shared import PLATFORM_NAMESPACE, platform_namespace_objects

STAGE_SYNC_OPTIONS = ("SkipDryRunOnMissingResource=true", "ServerSideApply=true")
"""Stage objects may use CRDs installed by the previous wave; large CRDs need server-side apply."""


def chart_application_set(config: PlatformConfig, argocd: ArgoCdConfig, chart: HelmChart, wave: int) -> dict[str, Any]:
    """An ApplicationSet installing `chart` on this environment's cluster at sync wave `wave`."""
    options = ("ServerSideApply=true", *(("CreateNamespace=true",) if chart.create_namespace else ()))
    body = layer_application_set(
        config, argocd, chart.release, "", wave, namespace=chart.namespace, sync_options=options
    )
    body["spec"]["template"]["spec"]["source"] = {
        "repoURL": chart.repo_url,
        "chart": chart.chart,
        "targetRevision": chart.version,
        "helm": {"releaseName": chart.release, "valuesObject": chart.values},
    }
    return body


def stage_application_sets(
    config: PlatformConfig, argocd: ArgoCdConfig, stage_list: list[Stage], first_wave: int
) -> tuple[list[dict[str, Any]], int]:
    """ApplicationSets for every stage (directory and charts), one wave per stage; and the next free wave."""
    application_sets, wave = [], first_wave
    for stage in stage_list:
        if stage.objects or stage.bases:
            shared = platform_namespace_objects() if "../../configs" in stage.bases else []
            application_sets.append(
                layer_application_set(
                    config,
                    argocd,
                    f"infra-{stage.name}",
                    stage.path,
                    wave,
                    namespace=PLATFORM_NAMESPACE,
                    patches=contract_patches([*shared, *stage.objects]),
                    sync_options=STAGE_SYNC_OPTIONS,
                )
            )
        application_sets.extend(chart_application_set(config, argocd, chart, wave) for chart in stage.charts)
        wave += 1
    return application_sets, wave
