"""Pure stand-ins for a fleet's moving parts: the hub-side cluster Secret of a spoke (as the spoke's stack
writes it, without Pulumi) and the hub's own, the union of several stacks' seeds in one config repo, an
Application's kustomize source built as Argo CD builds it, and Argo CD 3.0's AppProject destination rule."""

from __future__ import annotations

import fnmatch
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from platform_kit.config import PlatformConfig
from platform_kit.config.metadata import PlatformMetadata
from platform_kit.repo import render_config_repo
from platform_kit.repo.argocd.fleet import aws_cluster_config, spoke_cluster_secret, spoke_labels
from platform_kit.repo.argocd.objects import IN_CLUSTER, cluster_secret
from platform_kit.validation.manifests import kustomize_build


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
        secrets_prefix=f"{config.environment}/platform/" if secrets_on else "none",
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


def _glob(pattern: str, value: str) -> bool:
    """Argo CD's globMatch with negation: `!p` matches what `p` does not."""
    if pattern.startswith("!"):
        return not fnmatch.fnmatchcase(value, pattern[1:])
    return pattern == "*" or fnmatch.fnmatchcase(value, pattern)


def destination_permitted(destinations: list[Mapping[str, str]], server: str, name: str, namespace: str) -> bool:
    """Argo CD 3.0's `AppProject.isDestinationMatched` (pkg/apis/application/v1alpha1/app_project_types.go,
    v3.0.0 to v3.0.23), restated: an entry matches when its server or name and its namespace match (a `!`
    pattern matching what it does not name); a non-matching entry denies outright when a negated server/name
    missed and the namespace matched, or a negated namespace missed and the server matched."""
    permitted = False
    for item in destinations:
        item_server, item_name, item_namespace = item.get("server", ""), item.get("name", ""), item.get("namespace", "")
        name_hit = bool(name) and _glob(item_name, name)
        server_hit = bool(server) and _glob(item_server, server)
        namespace_hit = _glob(item_namespace, namespace)
        if (server_hit or name_hit) and namespace_hit:
            permitted = True
        elif (not name_hit and item_name.startswith("!")) or (
            not server_hit and item_server.startswith("!") and namespace_hit
        ):
            return False
        elif not namespace_hit and item_namespace.startswith("!") and server_hit:
            return False
    return permitted
