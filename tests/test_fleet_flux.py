"""Flux fleets (issue #17, item 4): each spoke runs its own Flux from `clusters/<env>/<cluster>` of one repo,
sharing bases and overlays, no hub; seeding a new spoke adds only its files (a real git daemon)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from factories import make_config
from fleet_support import seed_union, write_tree

from platform_kit.config import PlatformConfig
from platform_kit.config.fleet import check_fleet
from platform_kit.delivery.seeding import publish_seed
from platform_kit.repo import render_config_repo
from platform_kit.repo.environment_sharing import shared_file_problems
from platform_kit.repo.flux.objects import root_kustomization
from platform_kit.validation.manifests import validate_tree

REPO = "https://git.example.com/platform/fleet-config.git"
SHARED = ("README.md", ".github/", "apps/README.md", "apps/base/", "infrastructure/README.md")
SHARED_BASES = ("infrastructure/configs/", "infrastructure/controllers/", "infrastructure/policies/")


def flux_spoke(environment: str, cluster: str, services: dict | None = None) -> PlatformConfig:
    return make_config(
        {"cluster.name": cluster},
        environment=environment,
        repo={"url": REPO},
        services={"observability": {}, "policy": {"mode": "Audit"}} if services is None else services,
        fleet={"role": "spoke"},
    )


@pytest.fixture(scope="module")
def spokes() -> dict[str, PlatformConfig]:
    return {"dev-1": flux_spoke("dev", "dev-eu-1"), "staging-1": flux_spoke("staging", "staging-eu-1")}


def files_of(config: PlatformConfig) -> dict[str, str]:
    return {m.path: m.content for m in render_config_repo(config)}


def own(path: str, config: PlatformConfig) -> bool:
    """Whether `path` belongs to this spoke alone: its cluster directory and its environment's overlays."""
    env = config.environment
    return path.startswith((f"{config.environment_path}/", f"infrastructure/{env}/", f"apps/{env}/"))


def test_each_spoke_runs_its_own_flux_from_its_cluster_directory(spokes):
    for config in spokes.values():
        assert config.environment_path == f"clusters/{config.environment}/{config.cluster.name}"
        root = root_kustomization(config, config.gitops)
        assert root["spec"]["path"].strip("./") == config.environment_path
        files = files_of(config)
        assert f"{config.environment_path}/flux-system/flux-instance.yaml" in files  # its own Flux, self-managed
        assert not any(path.startswith("fleet/") for path in files)  # no hub anywhere
    assert check_fleet(spokes) == []


def test_two_spokes_files_are_disjoint_but_for_identical_shared_bases(spokes):
    one, two = (files_of(config) for config in spokes.values())
    common = set(one) & set(two)
    assert common, "the spokes share the repo's bases"
    assert all(path.startswith(SHARED + SHARED_BASES) for path in common), sorted(common)
    assert {path for path in common if one[path] != two[path]} == set()  # shared means byte-identical
    assert any(path.startswith(SHARED_BASES) for path in common)
    for files, config in ((one, spokes["dev-1"]), (two, spokes["staging-1"])):
        assert all(own(path, config) for path in set(files) - common), sorted(set(files) - common)


def test_the_fleet_repo_validates(spokes, tmp_path):
    assert validate_tree(write_tree(tmp_path, seed_union(spokes.values()))) == []


def test_two_spokes_of_one_repo_with_one_cluster_name_are_a_fleet_problem():
    found = check_fleet({"a": flux_spoke("dev", "eu-1"), "b": flux_spoke("staging", "eu-1")})
    assert [problem.split(":")[0:2] for problem in found] == [["b", " platform.cluster.name"]]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(repo), *args], check=True, capture_output=True, text=True).stdout


def tree(repo: Path) -> dict[str, str]:
    """path -> blob id of `main`."""
    lines = git(repo, "ls-tree", "-r", "main").splitlines()
    return {line.split("\t", 1)[1]: line.split()[2] for line in lines}


def test_seeding_a_second_spoke_adds_only_its_files_and_changes_none(spokes, git_daemon):
    repo, url = git_daemon.create_repo("fleet-config"), git_daemon.url("fleet-config")
    first, second = spokes["dev-1"], spokes["staging-1"]
    assert publish_seed(url, "main", files_of(first), environment=first.seed_name, auth=None).commit
    before = tree(repo)

    result = publish_seed(url, "main", files_of(second), environment=second.seed_name, auth=None)

    after = tree(repo)
    assert result.commit and git(repo, "rev-list", "--count", "main").strip() == "2"  # one atomic commit
    assert {path: blob for path, blob in after.items() if path in before} == before  # nothing changed
    added = set(after) - set(before)
    assert added == set(files_of(second)) - set(files_of(first)) | {".platform-kit/seed-staging.staging-eu-1.json"}
    assert all(own(path, second) or path.startswith(".platform-kit/") for path in added)
    again = publish_seed(url, "main", files_of(second), environment=second.seed_name, auth=None)
    assert again.commit is None and tree(repo) == after  # re-seeding is a no-op


# --- several clusters per environment (docs/fleets.md) ---------------------------


@pytest.fixture(scope="module")
def one_environment() -> dict[str, PlatformConfig]:
    return {"dev-eu": flux_spoke("dev", "dev-eu-1"), "dev-us": flux_spoke("dev", "dev-us-1")}


def test_spokes_of_one_environment_own_their_cluster_and_share_its_overlays_byte_identical(one_environment):
    eu, us = one_environment.values()
    one, two = files_of(eu), files_of(us)
    common = set(one) & set(two)
    assert {path for path in common if one[path] != two[path]} == set()
    assert any(path.startswith("infrastructure/dev/") for path in common)  # the environment's overlays, shared
    assert any(path.startswith("apps/dev/") for path in common)
    assert all(path.startswith(SHARED + SHARED_BASES + ("infrastructure/dev/", "apps/dev/")) for path in common)
    assert not any(path.startswith("clusters/") for path in common)  # each cluster's directory is its own
    assert eu.seed_name != us.seed_name and eu.secrets_prefix != us.secrets_prefix
    assert (eu.secrets_prefix, eu.secrets_key_alias) == ("dev/dev-eu-1/platform/", "dev/dev-eu-1/platform-secrets")
    assert check_fleet(one_environment) == [] and shared_file_problems(one_environment) == []
    assert validate_tree(write_tree_of(one_environment)) == []


def write_tree_of(configs: dict[str, PlatformConfig]) -> Path:
    import tempfile

    return write_tree(Path(tempfile.mkdtemp(prefix="fleet-one-env-")), seed_union(configs.values()))


def test_spokes_of_one_environment_with_different_services_are_reported_by_the_shared_files():
    configs = {
        "dev-eu": flux_spoke("dev", "dev-eu-1"),
        "dev-us": flux_spoke("dev", "dev-us-1", services={"observability": {}}),  # no policy: other overlays
        "prod-eu": flux_spoke("prod", "prod-eu-1", services={}),  # another environment: not compared
    }
    (problem,) = shared_file_problems(configs)
    assert (problem.stack, problem.path, problem.involves) == ("dev-us", "platform.environment", ("dev-us", "dev-eu"))
    assert "`infrastructure/dev/" in problem.message and "stack `dev-eu`" in problem.message


def test_two_spokes_of_one_environment_seed_one_repo_and_never_touch_each_other(one_environment, git_daemon):
    repo, url = git_daemon.create_repo("fleet-one-env"), git_daemon.url("fleet-one-env")
    eu, us = one_environment.values()
    assert publish_seed(url, "main", files_of(eu), environment=eu.seed_name, auth=None).commit
    before = tree(repo)
    assert ".platform-kit/seed-dev.dev-eu-1.json" in before

    result = publish_seed(url, "main", files_of(us), environment=us.seed_name, auth=None)

    after = tree(repo)
    assert result.commit and git(repo, "rev-list", "--count", "main").strip() == "2"  # one atomic commit
    assert {path: blob for path, blob in after.items() if path in before} == before  # nothing of eu's changed
    added = set(after) - set(before)
    assert added == {path for path in files_of(us) if path.startswith(f"{us.environment_path}/")} | {
        ".platform-kit/seed-dev.dev-us-1.json"
    }  # its own cluster directory and its own record; the shared overlays were already there
    for config in (eu, us, eu):  # re-seeding either, in any order, is a no-op
        again = publish_seed(url, "main", files_of(config), environment=config.seed_name, auth=None)
        assert again.commit is None and again.plan.create == again.plan.propose == () and tree(repo) == after
    assert git(repo, "for-each-ref", "--format=%(refname)").split() == ["refs/heads/main"]  # no proposal branch


def eks_flux_spoke(cluster: str) -> PlatformConfig:
    return make_config(
        {"cluster.name": cluster},
        cluster="eks",
        environment="dev",
        repo={"url": REPO},
        services={"secrets": {}, "observability": {}},
        teams=[{"name": "payments", "owners": ["payments-owners"]}],
        fleet={"role": "spoke"},
    )


FIXED_NAMES = {  # AWS resources whose physical name the stack sets (not Pulumi's random suffix)
    "aws:kms/alias:Alias": "name",
    "aws:secretsmanager/secret:Secret": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:eks/cluster:Cluster": "name",
}


def test_spokes_of_one_environment_never_name_the_same_aws_resource(pulumi_recorder):
    from platform_kit.platform import Platform, PlatformArgs

    configs = {"dev-eu": eks_flux_spoke("dev-eu-1"), "dev-us": eks_flux_spoke("dev-us-1")}
    for name, config in configs.items():
        Platform(name, PlatformArgs(config=config))
    names: dict[str, set[tuple[str, str]]] = {}
    for registration in pulumi_recorder.registrations:
        field = FIXED_NAMES.get(registration.type)
        if field and registration.inputs.get(field):
            stack = registration.name.split("-")[0] + "-" + registration.name.split("-")[1]
            names.setdefault(stack, set()).add((registration.type, registration.inputs[field]))
    assert set(names) == set(configs) and not names["dev-eu"] & names["dev-us"]
    assert ("aws:kms/alias:Alias", "alias/dev/dev-eu-1/platform-secrets") in names["dev-eu"]
    assert ("aws:secretsmanager/secret:Secret", "dev/dev-us-1/platform/grafana-admin") in names["dev-us"]
    policies = [r.inputs["policy"] for r in pulumi_recorder.registrations if r.type == "aws:iam/rolePolicy:RolePolicy"]
    for cluster in ("dev-eu-1", "dev-us-1"):  # ESO and the team read only their own cluster's prefixes
        assert sum(f":secret:dev/{cluster}/platform/*" in policy for policy in policies) == 1
        assert sum(f":secret:dev/{cluster}/teams/payments/*" in policy for policy in policies) == 1
    assert not any(":secret:dev/platform/" in policy or ":secret:dev/teams/" in policy for policy in policies)


def test_a_flux_spokes_team_store_reads_its_clusters_prefix_from_the_contract():
    config = eks_flux_spoke("dev-eu-1")
    files = files_of(config)
    stores = [doc for doc in yaml.safe_load_all(files[f"{config.environment_path}/teams/payments/secrets.yaml"]) if doc]
    prefixes = {doc["spec"]["provider"]["aws"]["prefix"] for doc in stores if doc["kind"].endswith("SecretStore")}
    assert prefixes == {"${PLATFORM_ENVIRONMENT}/${PLATFORM_CLUSTER_NAME}/teams/payments/"}
