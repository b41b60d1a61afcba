"""Pure stand-ins for a fleet's moving parts: the hub-side cluster Secret of a spoke (as the spoke's stack
writes it, without Pulumi) and the hub's own, the union of several stacks' seeds in one config repo, an
Application's kustomize source built as Argo CD builds it, and Argo CD 3.0's AppProject destination rule
(restated in platform_kit.inflate.checks, which the inflation checks use too)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from platform_kit.config import PlatformConfig
from platform_kit.config.metadata import PlatformMetadata
from platform_kit.inflate.checks import destination_permitted  # noqa: F401 (Argo CD 3.0's rule, restated once)
from platform_kit.repo import render_config_repo
from platform_kit.repo.argocd.fleet import aws_cluster_config, spoke_cluster_secret, spoke_labels
from platform_kit.repo.argocd.objects import IN_CLUSTER, cluster_secret
from platform_kit.validation.manifests import kustomize_build

HUB = "hub"
"""The shipped fleet's hub stack."""
SPOKES = ("spoke-eks", "spoke-local", "spoke-local-2")
"""The shipped hub-managed spokes (the two spoke-local* are clusters of one environment, `fleet-staging`);
tests/test_fleet_hub.py checks this is every stack naming the hub."""
FLEET = (HUB, *SPOKES)
"""The shipped fleet's stacks."""


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
        team_role_arns={team.name: team_role(config, team.name) for team in config.teams} if secrets_on else {},
    )
    labels = {**metadata.to_labels(), **spoke_labels(config, fleet)}
    cluster_config = json.dumps(aws_cluster_config(config.cluster.name, "ZmFrZQ=="))
    return spoke_cluster_secret(
        namespace, config.cluster.name, spoke_server(config), cluster_config, labels, metadata.to_annotations()
    )


def team_role(config: PlatformConfig, team: str) -> str:
    """The fake IAM role of `team` on `config`'s cluster (what the spoke's PlatformTeams would create)."""
    return f"arn:aws:iam::123456789012:role/{config.cluster.name}-teams-{team}-role"


def hub_secret(config: PlatformConfig) -> dict[str, Any]:
    """The hub's own in-cluster Secret (no fleet labels): a generator must never pick it for a spoke's team."""
    metadata = PlatformMetadata(
        environment=config.environment,
        cluster_name=config.cluster.name,
        cluster_kind=config.cluster.kind,
        repo_url=config.repo.cluster_url,
        repo_branch=config.repo.branch,
        repo_path=config.environment_path,
    )
    body = json.dumps({"tlsClientConfig": {"insecure": False}})
    labels, annotations = metadata.to_labels(), metadata.to_annotations()
    return cluster_secret("cluster-in-cluster", "argocd", "in-cluster", IN_CLUSTER, body, labels, annotations)


def build_source(repo: Path, source: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The objects an Application's config-repo `source` renders: `path` through kustomize with its `kustomize.patches`
    (as Argo CD's repo server adds them to a kustomization of its own over the path)."""
    patches = (source.get("kustomize") or {}).get("patches")
    if not patches:
        return kustomize_build(repo / source["path"])
    with tempfile.TemporaryDirectory(dir=repo) as overlay:
        resources = [os.path.relpath(repo / source["path"], overlay)]
        Path(overlay, "kustomization.yaml").write_text(json.dumps({"resources": resources, "patches": patches}))
        return kustomize_build(overlay)


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
