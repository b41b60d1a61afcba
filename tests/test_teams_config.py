"""Team entries in stack config: defaults, size classes, and every bad entry named by its field path."""

from __future__ import annotations

import pytest
from factories import config_problems, config_values, make_config
from teams_support import PAYMENTS, SEARCH, TEAMS_CONFIG

from platform_kit.config import PlatformMetadata
from platform_kit.config.metadata import team_metadata_key, team_variable_name
from platform_kit.config.teams import RESERVED_NAMESPACES, SIZE_CLASSES, team_secrets_prefix


def problems(teams, **gitops) -> dict[str, str]:
    return config_problems(config_values(TEAMS_CONFIG, cluster="eks", teams=teams, gitops=gitops))


def test_one_entry_is_enough():
    team = make_config(TEAMS_CONFIG, cluster="eks", teams=[SEARCH]).teams[0]
    assert team.all_namespaces == ("search",) and team.home_namespace == "search"
    assert team.size == "small" and team.quota == SIZE_CLASSES["small"]
    assert team.source_repos == () and team.channel is None
    assert team_secrets_prefix("dev", "search") == "dev/teams/search/"


def test_size_classes_grow():
    small, medium, large = (SIZE_CLASSES[name] for name in ("small", "medium", "large"))
    assert small.pods < medium.pods < large.pods
    assert small.persistent_volume_claims < medium.persistent_volume_claims < large.persistent_volume_claims
    assert make_config(TEAMS_CONFIG, cluster="eks", teams=[PAYMENTS]).teams[0].quota.requests_memory == "16Gi"


def test_bad_names_are_rejected_by_field_path():
    found = problems([SEARCH, {"name": "Bad_Name", "owners": ["g"]}, {"name": "ok", "owners": []}])
    assert set(found) == {"platform.teams[1].name", "platform.teams[2].owners"}
    assert "is not a lower-case DNS label" in found["platform.teams[1].name"]


def test_platform_namespaces_and_duplicates_are_rejected_by_field_path():
    teams = [
        SEARCH,
        {"name": "web", "owners": ["g"], "namespaces": ["web", "monitoring", "search"]},
        {"name": "kyverno", "owners": ["g"]},
        {"name": "search", "owners": ["h"], "namespaces": ["search-2"]},
        {"name": "ops", "owners": ["g"], "namespaces": ["ops", "ops"]},
    ]
    found = problems(teams)
    assert found == {
        "platform.teams[1].namespaces[1]": "namespace `monitoring` belongs to the platform",
        "platform.teams[1].namespaces[2]": "namespace `search` already belongs to team `search`",
        "platform.teams[2].name": "namespace `kyverno` belongs to the platform",
        "platform.teams[3].name": "team `search` is already defined at teams[0]",
        "platform.teams[4].namespaces[1]": "namespace `ops` is listed twice",
    }


def test_the_configured_agent_namespace_is_reserved_too():
    found = problems([{"name": "gitops", "owners": ["g"]}], namespace="gitops")
    assert found == {"platform.teams[0].name": "namespace `gitops` belongs to the platform"}
    assert {"kube-system", "flux-system", "argocd", "external-secrets", "platform-system"} <= RESERVED_NAMESPACES


def test_source_repos_must_be_clonable_by_the_agent():
    found = problems([{**SEARCH, "sourceRepos": ["file:///tmp/x", "https://u:p@h/x.git"]}])
    assert set(found) == {"platform.teams[0].sourceRepos[0]", "platform.teams[0].sourceRepos[1]"}  # each, by index


def test_team_roles_travel_in_the_metadata_contract_and_back():
    metadata = PlatformMetadata(
        environment="dev",
        cluster_name="c",
        cluster_kind="eks",
        repo_url="https://h/x.git",
        repo_branch="main",
        repo_path="clusters/dev",
        team_role_arns={"payments-eu": "arn:aws:iam::1:role/p", "search": "none"},
    )
    variables = metadata.to_variables()
    assert variables["PLATFORM_TEAM_PAYMENTS_EU_ROLE_ARN"] == "arn:aws:iam::1:role/p"
    assert team_variable_name("payments-eu") == "PLATFORM_TEAM_PAYMENTS_EU_ROLE_ARN"
    assert metadata.to_annotations()[team_metadata_key("search")] == "none"
    assert PlatformMetadata.from_variables(variables) == metadata
    with pytest.raises(ValueError, match="PLATFORM_TEAMX"):
        PlatformMetadata.from_variables(variables | {"PLATFORM_TEAMX": "1"})
