"""Fleet roles in config (issue #17, item 1): standalone, hub, spoke; per-stack and fleet-wide checks."""

from __future__ import annotations

import jsonschema
from factories import config_problems as problems
from factories import config_values

from platform_kit.config import parse_platform_config, stack_config_schema
from platform_kit.config.fleet import HubRole, SpokeRole, StandaloneRole, check_fleet

HUB = "acme/platform-kit/hub"


def config(environment: str = "dev", cluster: str = "dev-1", agent: str = "argocd", **fleet) -> dict:
    """The raw config of one fleet member on an existing cluster named `cluster`."""
    extra = {"fleet": fleet} if fleet else {}
    return config_values({"cluster.name": cluster}, agent=agent, environment=environment, **extra)


def eks(environment: str, name: str, **fleet) -> dict:
    """The raw config of one fleet member on an EKS cluster named `name`."""
    extra = {"fleet": fleet} if fleet else {}
    return config_values({"cluster.name": name}, agent="argocd", cluster="eks", environment=environment, **extra)


def spoke(environment: str = "dev", name: str = "dev-1") -> dict:
    return config(environment, name, role="spoke", hub={"stack": HUB}, apiServer="https://10.0.0.1:6443")


def test_standalone_is_the_default_and_keeps_its_paths():
    parsed = parse_platform_config(config())
    assert parsed.fleet == StandaloneRole()
    assert parsed.environment_path == "clusters/dev"


def test_roles_parse_and_spokes_get_their_own_cluster_directory():
    hub = parse_platform_config(config("hub", "hub-1", role="hub", name="acme"))
    assert isinstance(hub.fleet, HubRole) and hub.fleet.rollout == ("dev", "staging", "prod")
    parsed = parse_platform_config(spoke())
    assert isinstance(parsed.fleet, SpokeRole) and parsed.fleet.hub is not None
    assert parsed.environment_path == "clusters/dev/dev-1"


def test_an_argocd_spoke_without_a_hub_names_the_field():
    found = problems(config(role="spoke", apiServer="https://10.0.0.1:6443"))
    assert set(found) == {"platform.fleet.hub"}


def test_an_existing_argocd_spoke_needs_the_api_server_the_hub_reaches():
    assert set(problems(config(role="spoke", hub={"stack": HUB}))) == {"platform.fleet.apiServer"}


def test_an_eks_spoke_takes_no_api_server():
    found = problems(eks("dev", "dev-1", role="spoke", hub={"stack": HUB}, apiServer="https://x.example:6443"))
    assert set(found) == {"platform.fleet.apiServer"}


def test_a_flux_hub_is_refused():
    found = problems(config(agent="flux", role="hub", name="acme"))
    assert set(found) == {"platform.gitops.agent"}
    assert "Flux" in found["platform.gitops.agent"]


def test_a_spoke_sets_no_settings_of_the_hubs_argocd():
    values = spoke()
    values["gitops"] = {"agent": "argocd", "url": "https://argocd.example.com"}
    assert set(problems(values)) == {"platform.gitops.url"}


def test_a_flux_spoke_needs_no_hub_and_takes_none():
    assert parse_platform_config(config(agent="flux", role="spoke")).environment_path == "clusters/dev/dev-1"
    assert set(problems(config(agent="flux", role="spoke", hub={"stack": HUB}))) == {"platform.fleet.hub"}


def test_unknown_role_and_bad_stack_name_are_field_errors():
    assert set(problems(config(role="satellite"))) == {"platform.fleet"}
    assert set(problems(config(role="spoke", hub={"stack": "hub"}, apiServer="https://a:1"))) == {
        "platform.fleet.hub.stack"
    }


def test_duplicate_cluster_names_across_a_fleet():
    stacks = {
        "hub": parse_platform_config(config("hub", "hub-1", role="hub", name="acme")),
        "dev-a": parse_platform_config(spoke("dev", "shared-name")),
        "staging-a": parse_platform_config(spoke("staging", "shared-name")),
        "prod-a": parse_platform_config(spoke("prod", "prod-1")),
    }
    found = check_fleet(stacks)
    assert len(found) == 1
    assert found[0].startswith("staging-a: platform.cluster.name: `shared-name`")
    del stacks["staging-a"]
    assert check_fleet(stacks) == []
    stacks["hub-clash"] = parse_platform_config(spoke("dev", "hub-1"))
    assert [problem.split(":")[0] for problem in check_fleet(stacks)] == ["hub-clash"]


def test_duplicate_flux_spokes_of_one_repo_and_a_spoke_of_no_hub():
    stacks = {
        "a": parse_platform_config(config(agent="flux", role="spoke")),
        "b": parse_platform_config(config("staging", agent="flux", role="spoke")),
        "lost": parse_platform_config(spoke("prod", "prod-1")),
    }
    found = check_fleet(stacks)
    assert any(problem.startswith("b: platform.cluster.name") for problem in found)
    assert any(problem.startswith("lost: platform.fleet.hub.stack") for problem in found)


def test_the_schema_knows_the_roles():
    schema = jsonschema.Draft202012Validator(stack_config_schema())
    document = {"config": {f"platform:{key}": value for key, value in spoke().items()}}
    assert not list(schema.iter_errors(document))
    document["config"]["platform:fleet"] = {"role": "spoke", "hubb": {}}
    assert list(schema.iter_errors(document))
