"""The test config factory (tests/factories.py, fixture `config_factory`): what its overrides mean."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("cluster", ["existing", "eks"])
@pytest.mark.parametrize("agent", ["flux", "argocd"])
def test_the_base_config_is_valid_for_either_agent_and_cluster(config_factory, agent, cluster):
    config = config_factory.config(agent=agent, cluster=cluster)
    assert (config.gitops.agent, config.cluster.kind, config.environment) == (agent, cluster, "dev")
    assert config.repo.credentials.kind == "none" and config.teams == ()


def test_nested_dicts_merge_and_dotted_paths_replace(config_factory):
    shared = {"repo": {"branch": "live"}}
    values = config_factory.values(
        shared, {"cluster.kubeconfig": {"content": "apiVersion: v1"}}, repo={"path": "fleet/dev"}
    )
    assert values["repo"] == {"url": "https://git.example.com/acme/config.git", "branch": "live", "path": "fleet/dev"}
    assert values["cluster"]["kubeconfig"] == {"content": "apiVersion: v1"}  # the base `path` is gone
    assert shared == {"repo": {"branch": "live"}}  # overrides are copied, never mutated
    assert config_factory.config(shared).repo.branch == "live"


def test_delete_leaves_an_invalid_mapping_whose_problems_name_the_field(config_factory):
    values = config_factory.values(
        {"repo.url": config_factory.DELETE}, {"cluster.nodeGroups.0.name": "Bad_Name"}, cluster="eks"
    )
    assert "url" not in values["repo"]
    problems = config_factory.problems(values)
    assert set(problems) == {"platform.repo.url", "platform.cluster.nodeGroups[0].name"}
