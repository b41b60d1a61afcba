"""Teams against a real git server: adding a team commits only its files; 200 teams validate, render, seed."""

from __future__ import annotations

import subprocess
import time

import pytest
from factories import make_config
from teams_support import PAYMENTS, SEARCH, TEAMS_CONFIG, many_teams, rendered, write_tree

from platform_kit.delivery.seeding import publish_seed
from platform_kit.platform import Platform, PlatformArgs
from platform_kit.validation.manifests import validate_tree

RECORD = ".platform-kit/seed-dev.json"


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def seed(url: str, files: dict[str, str]):
    return publish_seed(url, "main", files, environment="dev", auth=None)


@pytest.mark.parametrize("agent", ["flux", "argocd"])
def test_second_team_commit_adds_only_its_files(git_daemon, agent):
    repo, url = git_daemon.create_repo(f"config-{agent}"), git_daemon.url(f"config-{agent}")
    one = rendered(make_config(TEAMS_CONFIG, agent=agent, cluster="eks", services={"secrets": {}}, teams=[PAYMENTS]))
    two = rendered(
        make_config(TEAMS_CONFIG, agent=agent, cluster="eks", services={"secrets": {}}, teams=[PAYMENTS, SEARCH])
    )
    assert seed(url, one).commit

    result = seed(url, two)

    changes = git("--git-dir", str(repo), "diff", "--name-status", "main~1", "main").splitlines()
    status = dict(reversed(line.split("\t")) for line in changes)
    added = {path for path, kind in status.items() if kind == "A"}
    assert added == set(two) - set(one)
    assert all(path.startswith(("clusters/dev/teams/search/", "teams/search/")) for path in added)
    assert {path: kind for path, kind in status.items() if kind != "A"} == {RECORD: "M"}  # only the seed record
    assert set(result.plan.create) == added
    for path, content in one.items():  # every earlier file is still byte-identical on the branch
        assert git("--git-dir", str(repo), "show", f"main:{path}") == content
    assert seed(url, two).commit is None  # and seeding again is a no-op


def test_two_hundred_teams_validate_render_and_seed(git_daemon, pulumi_recorder, tmp_path):
    start = time.perf_counter()
    config = make_config(TEAMS_CONFIG, cluster="eks", services={"secrets": {}}, teams=many_teams(200))
    files = rendered(config)
    assert sum(path.endswith("/namespaces.yaml") for path in files) == 200

    platform = Platform("dev", PlatformArgs(config=config))
    roles = pulumi_recorder.find("aws:iam/role:Role")
    assert sum(role.name.startswith("dev-teams-") for role in roles) == 200
    metadata, _ = pulumi_recorder.resolve(platform.metadata_variables)
    assert sum(key.startswith("PLATFORM_TEAM_") for key in metadata) == 200

    url = git_daemon.url("many")
    git_daemon.create_repo("many")
    result = seed(url, files)
    assert len(result.plan.create) == len(files)

    sample = {p: c for p, c in files.items() if "/team-" not in p or "team-000/" in p or "team-199/" in p}
    assert validate_tree(write_tree(sample, tmp_path)) == []
    assert time.perf_counter() - start < 60
