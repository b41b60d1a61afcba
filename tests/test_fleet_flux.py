"""Flux fleets (issue #17, item 4): each spoke runs its own Flux from `clusters/<env>/<cluster>` of one repo,
sharing bases and overlays, no hub; seeding a new spoke adds only its files (a real git daemon)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from factories import make_config
from fleet_support import seed_union, write_tree

from platform_kit.config import PlatformConfig
from platform_kit.config.fleet import check_fleet
from platform_kit.delivery.seeding import publish_seed
from platform_kit.repo import render_config_repo
from platform_kit.repo.flux.objects import root_kustomization
from platform_kit.validation.manifests import validate_tree

REPO = "https://git.example.com/platform/fleet-config.git"
SHARED = ("README.md", ".github/", "apps/README.md", "apps/base/", "infrastructure/README.md")
SHARED_BASES = ("infrastructure/configs/", "infrastructure/controllers/", "infrastructure/policies/")


def flux_spoke(environment: str, cluster: str) -> PlatformConfig:
    return make_config(
        {"cluster.name": cluster},
        environment=environment,
        repo={"url": REPO},
        services={"observability": {}, "policy": {"mode": "Audit"}},
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
    assert publish_seed(url, "main", files_of(first), environment=first.environment, auth=None).commit
    before = tree(repo)

    result = publish_seed(url, "main", files_of(second), environment=second.environment, auth=None)

    after = tree(repo)
    assert result.commit and git(repo, "rev-list", "--count", "main").strip() == "2"  # one atomic commit
    assert {path: blob for path, blob in after.items() if path in before} == before  # nothing changed
    added = set(after) - set(before)
    assert added == set(files_of(second)) - set(files_of(first)) | {f".platform-kit/seed-{second.environment}.json"}
    assert all(own(path, second) or path.startswith(".platform-kit/") for path in added)
    again = publish_seed(url, "main", files_of(second), environment=second.environment, auth=None)
    assert again.commit is None and tree(repo) == after  # re-seeding is a no-op
