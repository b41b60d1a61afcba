"""The root Application (owned by Pulumi): applies `clusters/<env>/` and fills its placeholders (pure).

The layer Applications in `clusters/<env>/` hold `${PLATFORM_*}` placeholders where a
value comes from the infrastructure (repository URL and branch, ESO's role, the
`infra-configs` patches). The root carries, as `spec.source.kustomize.patches`, one
merge patch per such Application (by kind and name) with the metadata contract's values:
a pure function of the config and the contract, as Flux's root Kustomization carries
`postBuild.substituteFrom`. A patch whose Application was removed from Git matches
nothing and is ignored by kustomize.
"""

from __future__ import annotations

from typing import Any

from platform_kit.config.gitops import ArgoCdConfig
from platform_kit.config.metadata import PlatformMetadata
from platform_kit.config.models import PlatformConfig
from platform_kit.repo.argocd.layout import layer_applications
from platform_kit.repo.argocd.objects import (
    API_VERSION,
    FINALIZER,
    IN_CLUSTER,
    PLATFORM_PROJECT,
    ROOT_NAME,
    sync_policy,
)
from platform_kit.repo.argocd.patches import filled_patches


def root_patches(config: PlatformConfig, metadata: PlatformMetadata) -> list[dict[str, Any]]:
    """Kustomize patches filling every placeholder of the layer Applications from the metadata contract."""
    return filled_patches(layer_applications(config), metadata.to_variables())


def root_metadata(argocd: ArgoCdConfig) -> dict[str, Any]:
    """The root's metadata: its name and the finalizer that makes deleting it delete what Argo CD applied."""
    return {"name": ROOT_NAME, "namespace": argocd.namespace, "finalizers": [FINALIZER]}


def root_application(config: PlatformConfig, argocd: ArgoCdConfig, metadata: PlatformMetadata) -> dict[str, Any]:
    """The root Application for `clusters/<env>` (its finalizer prunes on delete; its patches carry the contract)."""
    source: dict[str, Any] = {
        "repoURL": config.repo.cluster_url,
        "targetRevision": config.repo.branch,
        "path": config.environment_path,
    }
    patches = root_patches(config, metadata)
    if patches:
        source["kustomize"] = {"patches": patches}
    return {
        "apiVersion": API_VERSION,
        "kind": "Application",
        "metadata": root_metadata(argocd),
        "spec": {
            "project": PLATFORM_PROJECT,
            "source": source,
            "destination": {"server": IN_CLUSTER, "namespace": argocd.namespace},
            "syncPolicy": sync_policy(argocd),
        },
    }
