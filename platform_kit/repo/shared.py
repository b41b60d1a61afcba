"""Directories of the config repo that every environment shares, whichever agent it runs (pure).

They render identically for Flux and Argo CD environments, so one repository can hold a
mixed fleet and whichever environment seeds first, the others find the same files:

    README.md                      where to change what
    infrastructure/controllers/    cluster add-ons (CRDs and controllers)
    infrastructure/configs/        objects that use those CRDs; the platform namespace
    apps/base/, apps/<env>/        workloads, with a per-environment overlay

Values that differ per environment are written as `${PLATFORM_*}` placeholders: Flux
substitutes them from the metadata ConfigMap; in Argo CD environments the layer
Applications patch them, with values the root Application carries (see
`platform_kit.repo.argocd.patches`).
"""

from __future__ import annotations

from typing import Any

from platform_kit.config.metadata import variable
from platform_kit.config.models import PlatformConfig
from platform_kit.repo import docs
from platform_kit.repo.ci_workflow import ci_workflow
from platform_kit.repo.manifest import Manifest, kustomization, yaml_file

PLATFORM_NAMESPACE = "platform-system"
"""Namespace for the platform's own in-cluster objects."""

PLATFORM_INFO = "platform-info"
"""ConfigMap of cluster facts in PLATFORM_NAMESPACE, readable by workloads."""


def shared_files(config: PlatformConfig) -> list[Manifest]:
    """README, infrastructure/ and apps/ (the overlay of `config`'s environment)."""
    return [
        ci_workflow(config.library),
        Manifest("README.md", docs.repo_readme(config)),
        Manifest("infrastructure/README.md", docs.INFRASTRUCTURE_README),
        kustomization("infrastructure/controllers", []),
        kustomization("infrastructure/configs", ["platform-system.yaml"]),
        yaml_file("infrastructure/configs/platform-system.yaml", *platform_namespace_objects()),
        Manifest("apps/README.md", docs.APPS_README),
        kustomization("apps/base", []),
        kustomization(f"apps/{config.environment}", ["../base"]),
    ]


def platform_namespace_objects() -> list[dict[str, Any]]:
    """The platform namespace and a ConfigMap of cluster facts for workloads, from the contract."""
    labels = {
        "app.kubernetes.io/part-of": "platform",
        "platform-kit.io/environment": variable("environment"),
    }
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": PLATFORM_NAMESPACE,
            "labels": labels
            | {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
            },
        },
    }
    facts = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": PLATFORM_INFO, "namespace": PLATFORM_NAMESPACE, "labels": labels},
        "data": {
            "environment": variable("environment"),
            "clusterName": variable("cluster_name"),
            "clusterKind": variable("cluster_kind"),
            "region": variable("region"),
            "contractVersion": variable("contract_version"),
        },
    }
    return [namespace, facts]
