"""The Argo CD layout of the config repo (pure).

Layout (shared directories come from `platform_kit.repo.shared` and are identical to
the Flux layout's, so one repository can serve both agents):

    clusters/<env>/                the root Application applies this directory, wave by wave
      argocd.yaml                  wave -3: Argo CD's own chart and values (Argo CD upgrades itself)
      projects.yaml                wave -2: ApplicationSet for projects/
      infrastructure.yaml          wave -1 / 0: ApplicationSets for infrastructure/controllers, configs
      apps.yaml                    wave 1: ApplicationSet for apps/<env>
    projects/                      team AppProjects (Argo CD only)
    README.md, infrastructure/, apps/   shared (see platform_kit.repo.shared)

Every ApplicationSet uses the cluster generator on this environment's cluster Secret and
takes the repository coordinates and infrastructure values from its annotations.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from platform_kit.config.gitops import ArgoCdConfig
from platform_kit.config.metadata import VARIABLES, annotation_template
from platform_kit.config.models import PlatformConfig
from platform_kit.repo import docs
from platform_kit.repo.argocd import layer_application_set, self_application
from platform_kit.repo.manifest import Manifest, kustomization, yaml_file
from platform_kit.repo.shared import PLATFORM_NAMESPACE, platform_namespace_objects, shared_files


def render_argocd_repo(config: PlatformConfig) -> list[Manifest]:
    """Every file of the Argo CD seed for `config`'s environment (unsorted)."""
    argocd = config.gitops
    if not isinstance(argocd, ArgoCdConfig):
        raise TypeError("the Argo CD layout needs gitops.agent = argocd")
    return [*_cluster_dir(config, argocd), *_projects_dir(), *shared_files(config)]


def _cluster_dir(config: PlatformConfig, argocd: ArgoCdConfig) -> list[Manifest]:
    env_dir = config.environment_path
    projects = layer_application_set(config, argocd, "projects", "projects", -2, namespace=argocd.namespace)
    controllers = layer_application_set(
        config, argocd, "infra-controllers", "infrastructure/controllers", -1, namespace=PLATFORM_NAMESPACE
    )
    configs = layer_application_set(
        config,
        argocd,
        "infra-configs",
        "infrastructure/configs",
        0,
        namespace=PLATFORM_NAMESPACE,
        patches=contract_patches(platform_namespace_objects()),
        sync_options=("SkipDryRunOnMissingResource=true",),
    )
    apps_path = "apps/" + annotation_template("environment")
    apps = layer_application_set(config, argocd, "apps", apps_path, 1, namespace=argocd.namespace)
    return [
        Manifest(f"{env_dir}/README.md", docs.argocd_cluster_readme(config)),
        kustomization(env_dir, ["argocd.yaml", "projects.yaml", "infrastructure.yaml", "apps.yaml"]),
        yaml_file(f"{env_dir}/argocd.yaml", self_application(config, argocd)),
        yaml_file(f"{env_dir}/projects.yaml", projects),
        yaml_file(f"{env_dir}/infrastructure.yaml", controllers, configs),
        yaml_file(f"{env_dir}/apps.yaml", apps),
    ]


def _projects_dir() -> list[Manifest]:
    return [Manifest("projects/README.md", docs.PROJECTS_README), kustomization("projects", [])]


_PLACEHOLDER = re.compile(r"\$\{(PLATFORM_[A-Z0-9_]+)\}")
_FIELD_OF = {name: field for field, name in VARIABLES.items()}


def _templated(value: Any) -> Any:
    """`value` with `${PLATFORM_*}` replaced by cluster Secret templates, or None if it has none."""
    if isinstance(value, str):
        if not _PLACEHOLDER.search(value):
            return None
        return _PLACEHOLDER.sub(lambda match: annotation_template(_FIELD_OF[match.group(1)]), value)
    if isinstance(value, dict):
        kept = {key: _templated(item) for key, item in value.items()}
        kept = {key: item for key, item in kept.items() if item is not None}
        return kept or None
    return None


def contract_patches(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Kustomize patches that fill every `${PLATFORM_*}` placeholder of `objects` from the cluster Secret.

    Argo CD does not substitute variables; an ApplicationSet renders these patches (Go
    templates over the cluster Secret's annotations) into the Application it generates,
    so the same shared manifests serve Flux and Argo CD environments.
    """
    patches = []
    for obj in objects:
        body = {key: _templated(value) for key, value in obj.items() if key not in ("apiVersion", "kind")}
        body = {key: value for key, value in body.items() if value is not None}
        if not body:
            continue
        metadata = {"name": obj["metadata"]["name"]}
        if "namespace" in obj["metadata"]:
            metadata["namespace"] = obj["metadata"]["namespace"]
        body["metadata"] = metadata | body.get("metadata", {})
        patch = {"apiVersion": obj["apiVersion"], "kind": obj["kind"], **body}
        patches.append(
            {
                "target": {"kind": obj["kind"], "name": obj["metadata"]["name"]},
                "patch": yaml.safe_dump(patch, sort_keys=False, width=1_000_000),
            }
        )
    return patches
