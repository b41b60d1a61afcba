"""The library-usage example renders offline and uses only the pieces it composes."""

from __future__ import annotations

from pathlib import Path

from platform_kit.offline.preview import run_stack

EXAMPLE = Path(__file__).resolve().parent.parent


def test_only_the_agent_and_the_seed_on_the_existing_cluster(monkeypatch):
    monkeypatch.delenv("EDGE_GIT_TOKEN", raising=False)  # offline: the token may be missing
    run = run_stack(EXAMPLE, "demo")
    types = {r.type for r in run.registrations}
    assert "platform-kit:gitops:ArgoCdAgent" in types and "platform-kit:cluster:ExistingCluster" in types
    assert "platform-kit:platform:Platform" not in types
    assert not [t for t in types if t.startswith(("aws:", "pulumi:providers:aws"))]
    provider = next(r for r in run.registrations if r.type == "pulumi:providers:kubernetes")
    root = next(r for r in run.registrations if r.name == "edge-argocd-root-sync")
    assert root.provider.startswith(provider.urn + "::")
    files = run.seeded_files()
    assert files["clusters/edge/NOTES.md"].startswith("Edge clusters")
    assert "clusters/edge/teams/sensors/kustomization.yaml" in files
    cluster_secret = next(r for r in run.registrations if r.name == "edge-argocd-metadata")
    annotations = cluster_secret.inputs["metadata"]["annotations"]
    assert annotations["platform-kit.io/cluster-name"] == "edge-cluster"
    assert annotations["platform-kit.io/team-sensors-role-arn"] == "none"
