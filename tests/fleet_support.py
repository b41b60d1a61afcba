"""Pure stand-ins for a fleet's moving parts: the hub-side cluster Secret of a spoke (as the spoke's stack
writes it, without Pulumi), the union of several stacks' seeds in one config repo, and Argo CD 3.0's
AppProject destination rule (restated in platform_kit.inflate.checks, which the inflation checks use too)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from platform_kit.config import PlatformConfig
from platform_kit.config.metadata import PlatformMetadata
from platform_kit.inflate.checks import destination_permitted  # noqa: F401 (Argo CD 3.0's rule, restated once)
from platform_kit.repo import render_config_repo
from platform_kit.repo.argocd.fleet import aws_cluster_config, spoke_cluster_secret, spoke_labels


def spoke_server(config: PlatformConfig) -> str:
    """A distinct API server URL per spoke (an existing spoke's `apiServer`, else a made-up EKS endpoint)."""
    api_server = getattr(config.fleet, "api_server", None)
    return str(api_server) if api_server else f"https://{config.cluster.name.upper()}.gr7.eu-west-1.eks.example"


def spoke_secret(config: PlatformConfig, fleet: str = "acme", namespace: str = "argocd") -> dict[str, Any]:
    """The cluster Secret a spoke's stack registers on the hub (gitops/hub.py's shape, fake role ARNs)."""
    secrets_on = config.services.secrets.enabled
    region = getattr(config.cluster, "region", None) or "none"
    metadata = PlatformMetadata(
        environment=config.environment,
        cluster_name=config.cluster.name,
        cluster_kind=config.cluster.kind,
        region=region,
        repo_url=config.repo.cluster_url,
        repo_branch=config.repo.branch,
        repo_path=config.environment_path,
        secrets_region=region if secrets_on else "none",
        secrets_prefix=config.secrets_prefix if secrets_on else "none",
        eso_role_arn=f"arn:aws:iam::123456789012:role/{config.environment}-eso" if secrets_on else "none",
    )
    labels = {**metadata.to_labels(), **spoke_labels(config, fleet)}
    cluster_config = json.dumps(aws_cluster_config(config.cluster.name, "ZmFrZQ=="))
    return spoke_cluster_secret(
        namespace, config.cluster.name, spoke_server(config), cluster_config, labels, metadata.to_annotations()
    )


def seed_union(configs: Iterable[PlatformConfig]) -> dict[str, str]:
    """Every stack's seed in one repo; a path two stacks both seed must have the same content."""
    files: dict[str, str] = {}
    for config in configs:
        for manifest in render_config_repo(config):
            previous = files.setdefault(manifest.path, manifest.content)
            assert previous == manifest.content, f"{manifest.path} differs between stacks seeding one repo"
    return files


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    return root
