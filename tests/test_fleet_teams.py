"""Teams on Argo CD spokes (issue #17, deliverable 3): the hub's fixed team ApplicationSets, evaluated over the
hub's cluster Secrets and the fleet repo's directories, give each spoke exactly its teams, on that spoke only;
kustomize builds what they apply into schema-valid objects; the team projects permit each team only its
namespaces on its spoke; seeding a spoke with a team adds only its files (a real git daemon)."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

import pytest
import yaml
from factories import make_config
from fleet_support import build_source, destination_permitted, hub_secret, seed_union, spoke_secret, team_role
from fleet_support import write_tree as write_repo
from stack_support import REPO_ROOT

from platform_kit.config import load_stack_file
from platform_kit.config.fleet import check_fleet, spoke_team_project
from platform_kit.config.teams import team_secrets_prefix
from platform_kit.delivery.seeding import publish_seed
from platform_kit.inflate.appsets import expand_application_set
from platform_kit.repo import render_config_repo
from platform_kit.repo.argocd.fleet_teams import (
    FLEET_TEAM_PROJECTS_PROJECT,
    FLEET_TEAMS_PROJECT,
    team_application_sets,
)
from platform_kit.repo.argocd.objects import IN_CLUSTER
from platform_kit.validation.manifests import validate_object

FLEET = ("hub", "spoke-eks", "spoke-local")
REPO = "https://github.com/acme/fleet-config.git"
TEAM_LAYERS = ("team", "team-project")


@pytest.fixture(scope="module")
def configs():
    return {stack: load_stack_file(REPO_ROOT, stack) for stack in FLEET}


@pytest.fixture(scope="module")
def spokes(configs):
    return [configs["spoke-eks"], configs["spoke-local"]]


@pytest.fixture(scope="module")
def repo(configs, tmp_path_factory) -> Path:
    return write_repo(tmp_path_factory.mktemp("fleet-teams-repo"), seed_union(configs.values()))


@pytest.fixture(scope="module")
def hub_objects(repo) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for document in yaml.safe_load_all((repo / "fleet/acme/teams.yaml").read_text()):
        if document:
            found.setdefault(document["kind"], []).append(document)
    return found


@pytest.fixture(scope="module")
def clusters(configs, spokes):
    return [hub_secret(configs["hub"]), *(spoke_secret(config) for config in spokes)]


def expand(app_sets, clusters, repo):
    return [app for app_set in app_sets for app in expand_application_set(app_set, clusters, repo, {REPO})]


def by_layer(apps, layer):
    return [app for app in apps if app["metadata"]["labels"]["platform-kit.io/layer"] == layer]


def no_placeholder(obj) -> bool:
    text = yaml.safe_dump(obj)
    return "{{" not in text and "${PLATFORM_" not in text


def test_the_hub_gets_a_fixed_set_of_team_applicationsets_and_two_projects(configs, hub_objects):
    assert hub_objects["ApplicationSet"] == team_application_sets(configs["hub"])
    assert len(hub_objects["ApplicationSet"]) == 5  # one per secrets mode's patches, one for the hub side
    assert {p["metadata"]["name"] for p in hub_objects["AppProject"]} == {
        FLEET_TEAMS_PROJECT,
        FLEET_TEAM_PROJECTS_PROJECT,
    }
    for obj in [*hub_objects["ApplicationSet"], *hub_objects["AppProject"]]:
        assert obj["metadata"]["namespace"] == "argocd"
        assert validate_object(obj) == [], obj["metadata"]["name"]


def test_each_spoke_gets_exactly_its_teams_on_itself(spokes, repo, hub_objects, clusters):
    apps = expand(hub_objects["ApplicationSet"], clusters, repo)
    servers = {config.cluster.name: spoke_secret(config)["stringData"]["server"] for config in spokes}
    expected = {(config.cluster.name, team.name) for config in spokes for team in config.teams}
    for layer in TEAM_LAYERS:
        found = [
            (a["metadata"]["labels"]["platform-kit.io/cluster-name"], a["metadata"]["labels"]["platform-kit.io/team"])
            for a in by_layer(apps, layer)
        ]
        assert sorted(found) == sorted(expected), layer  # each team once, on its own spoke only
    for app in apps:
        assert no_placeholder(app), app["metadata"]["name"]
        cluster = app["metadata"]["labels"]["platform-kit.io/cluster-name"]
        destination = app["spec"]["destination"]
        if app["metadata"]["labels"]["platform-kit.io/layer"] == "team":
            assert app["spec"]["project"] == FLEET_TEAMS_PROJECT and destination["server"] == servers[cluster]
        else:  # the team's project and ApplicationSet: on the hub, in Argo CD's namespace
            assert app["spec"]["project"] == FLEET_TEAM_PROJECTS_PROJECT
            assert destination == {"server": IN_CLUSTER, "namespace": "argocd"}


def test_the_spoke_side_builds_to_valid_objects_in_the_teams_namespaces_with_the_spokes_role(
    spokes, repo, hub_objects, clusters
):
    apps = by_layer(expand(hub_objects["ApplicationSet"], clusters, repo), "team")
    config_of = {config.cluster.name: config for config in spokes}
    project = next(p for p in hub_objects["AppProject"] if p["metadata"]["name"] == FLEET_TEAMS_PROJECT)["spec"]
    cluster_kinds = {(k["group"], k["kind"]) for k in project["clusterResourceWhitelist"]}
    stores = 0
    for app in apps:
        config = config_of[app["metadata"]["labels"]["platform-kit.io/cluster-name"]]
        (team,) = [t for t in config.teams if t.name == app["metadata"]["labels"]["platform-kit.io/team"]]
        objects = build_source(repo, app["spec"]["source"])
        kinds = {o["kind"] for o in objects}
        assert {"Namespace", "ResourceQuota", "NetworkPolicy", "RoleBinding"} <= kinds
        assert not kinds & {"AppProject", "ApplicationSet", "Application"}  # those belong to the hub
        for obj in objects:
            assert validate_object(obj) == [], obj["metadata"]["name"]
            assert no_placeholder(obj), obj
            namespace = obj["metadata"].get("namespace")
            if namespace is None:
                assert (
                    obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else "",
                    obj["kind"],
                ) in cluster_kinds
            else:
                assert namespace in team.all_namespaces
                assert destination_permitted(
                    project["destinations"], app["spec"]["destination"]["server"], config.cluster.name, namespace
                )
            if obj["kind"] == "SecretStore":
                stores += 1
                aws = obj["spec"]["provider"]["aws"]
                # a spoke's secrets are per cluster (docs/fleets.md): the store reads what its stack creates
                assert aws["prefix"] == f"{config.environment}/{config.cluster.name}/teams/{team.name}/"
                assert aws["prefix"] == team_secrets_prefix(config.secrets_scope, team.name)
                assert aws["region"] == config.cluster.region
                if config.cluster.workload_identity == "pod-identity":
                    assert aws["role"] == team_role(config, team.name)
    assert stores > 0  # spoke-eks (secrets on) has the payments stores
    assert not destination_permitted(project["destinations"], IN_CLUSTER, "in-cluster", "payments")


def test_each_team_project_permits_only_its_namespaces_on_its_spoke(spokes, configs, repo, hub_objects, clusters):
    hub_apps = by_layer(expand(hub_objects["ApplicationSet"], clusters, repo), "team-project")
    servers = {s["stringData"]["name"]: s["stringData"]["server"] for s in clusters}
    names = [config.cluster.name for config in spokes]
    team_apps = []
    for app in hub_apps:
        objects = build_source(repo, app["spec"]["source"])
        assert sorted(o["kind"] for o in objects) == ["AppProject", "ApplicationSet"]
        cluster, team_name = (
            app["metadata"]["labels"][k] for k in ("platform-kit.io/cluster-name", "platform-kit.io/team")
        )
        (config,) = [c for c in spokes if c.cluster.name == cluster]
        (team,) = [t for t in config.teams if t.name == team_name]
        project = next(o for o in objects if o["kind"] == "AppProject")
        assert project["metadata"]["name"] == spoke_team_project(cluster, team_name)
        assert project["spec"]["sourceRepos"][0] == REPO and project["spec"]["clusterResourceWhitelist"] == []
        for obj in objects:
            assert obj["metadata"]["namespace"] == "argocd" and no_placeholder(obj) or obj["kind"] == "ApplicationSet"
            assert validate_object(obj) == [], obj["metadata"]["name"]
        destinations = project["spec"]["destinations"]
        for other, namespace in itertools.product(
            ["in-cluster", *names], [*team.all_namespaces, "default", "kube-system", "argocd"]
        ):
            allowed = other == cluster and namespace in team.all_namespaces
            assert destination_permitted(destinations, servers[other], other, namespace) is allowed, (other, namespace)
        (app_set,) = [o for o in objects if o["kind"] == "ApplicationSet"]
        (team_app,) = expand([app_set], clusters, repo)  # over every cluster Secret of the hub: its spoke only
        assert no_placeholder(team_app)
        assert team_app["spec"]["project"] == project["metadata"]["name"]
        assert team_app["spec"]["destination"] == {"name": cluster, "namespace": team.home_namespace}
        assert team_app["spec"]["source"] == {
            "repoURL": REPO,
            "targetRevision": "main",
            "path": f"teams/{team_name}/{config.environment}",
        }
        assert destination_permitted(destinations, servers[cluster], cluster, team.home_namespace)
        assert "finalizers" not in team_app["metadata"]  # a gone spoke never blocks the hub
        team_apps.append(team_app)
    assert len({a["spec"]["project"] for a in team_apps}) == len(team_apps) == 2


def test_removing_a_spoke_removes_only_its_team_applications(spokes, repo, hub_objects, clusters):
    everything = {a["metadata"]["name"] for a in expand(hub_objects["ApplicationSet"], clusters, repo)}
    gone = spokes[0]
    rest = [c for c in clusters if c["stringData"]["name"] != gone.cluster.name]
    without = {a["metadata"]["name"] for a in expand(hub_objects["ApplicationSet"], rest, repo)}
    expected = {f"{gone.cluster.name}-{layer}-{team.name}" for team in gone.teams for layer in TEAM_LAYERS}
    assert everything - without == expected and without <= everything


def test_a_spoke_secret_without_its_repo_path_gets_no_team_and_nobody_elses(spokes, repo, hub_objects):
    """Go's `index` gives "" for a missing annotation (no error): the path `/teams/*` matches no directory."""
    secret = copy.deepcopy(spoke_secret(spokes[0]))
    assert expand(hub_objects["ApplicationSet"], [secret], repo)
    del secret["metadata"]["annotations"]["platform-kit.io/repo-path"]
    assert expand(hub_objects["ApplicationSet"], [secret], repo) == []


# ------------------------------------------------------------------------------------------- many spokes


def team_spoke(index: int):
    secrets = index % 2 == 0
    return make_config(
        {"cluster.name": f"spoke-{index:03d}"},
        agent="argocd",
        cluster="eks",
        environment=f"edge-{index:03d}",
        repo={"url": REPO},
        services={"secrets": {}} if secrets else {},
        fleet={"role": "spoke", "hub": {"stack": "acme/platform-kit/hub"}},
        teams=[{"name": "web", "owners": ["web-devs"]}, {"name": f"t{index % 3}", "owners": ["devs"]}],
    )


@pytest.mark.parametrize("count", [10, 100])
def test_n_spokes_with_teams_keep_five_team_applicationsets(configs, count, tmp_path):
    hub = configs["hub"]
    spokes = [team_spoke(i) for i in range(count)]
    hub_files = {m.path: m.content for m in render_config_repo(hub)}
    repo = write_repo(tmp_path, {**hub_files, **seed_union(spokes)})
    app_sets = [
        d for d in yaml.safe_load_all(hub_files["fleet/acme/teams.yaml"]) if d and d["kind"] == "ApplicationSet"
    ]
    assert len(app_sets) == 5
    apps = expand(app_sets, [hub_secret(hub), *(spoke_secret(c) for c in spokes)], repo)
    found = sorted(
        (
            a["metadata"]["labels"]["platform-kit.io/cluster-name"],
            a["metadata"]["labels"]["platform-kit.io/team"],
            a["metadata"]["labels"]["platform-kit.io/layer"],
        )
        for a in apps
    )
    assert found == sorted((c.cluster.name, t.name, layer) for c in spokes for t in c.teams for layer in TEAM_LAYERS)


# ------------------------------------------------------------------------------------------- config


def test_a_team_project_name_two_stacks_would_share_on_the_hub_is_a_fleet_problem(configs):
    spoke = configs["spoke-eks"]
    clash = make_config(
        {"cluster.name": "fleet-dev-eu"},
        agent="argocd",
        environment="edge",
        repo={"url": REPO},
        fleet={"role": "spoke", "hub": {"stack": "acme/platform-kit/hub"}, "apiServer": "https://edge.example:6443"},
        teams=[{"name": "1-payments", "owners": ["x"]}],  # fleet-dev-eu + 1-payments = fleet-dev-eu-1 + payments
    )
    problems = check_fleet({"hub": configs["hub"], "spoke-eks": spoke, "spoke-x": clash})
    assert problems == [
        "spoke-x: platform.teams[0].name: the hub's AppProject `fleet-dev-eu-1-payments` of this team is already "
        "the project of a team of stack `spoke-eks`; rename the team (or the cluster)"
    ]
    assert check_fleet({"hub": configs["hub"], "spoke-eks": spoke}) == []


def test_long_names_give_a_hashed_project_name_within_63_characters():
    long = spoke_team_project("c" * 40, "t" * 40)
    assert len(long) == 63 and long != spoke_team_project("c" * 40, "t" * 39 + "u")
    assert spoke_team_project("eu-1", "web") == "eu-1-web"


# ------------------------------------------------------------------------------------------- seeding


def test_seeding_a_spoke_with_a_team_adds_only_its_files(configs, git_daemon):
    import subprocess

    def tree(repo: Path) -> dict[str, str]:
        out = subprocess.run(
            ["git", "--git-dir", str(repo), "ls-tree", "-r", "main"], check=True, capture_output=True, text=True
        ).stdout
        return {line.split("\t", 1)[1]: line.split()[2] for line in out.splitlines()}

    repo, url = git_daemon.create_repo("fleet-config"), git_daemon.url("fleet-config")
    files = {stack: {m.path: m.content for m in render_config_repo(configs[stack])} for stack in FLEET}
    for stack in ("hub", "spoke-local"):
        assert publish_seed(url, "main", files[stack], environment=configs[stack].environment, auth=None).commit
    before = tree(repo)
    spoke = configs["spoke-eks"]
    assert publish_seed(url, "main", files["spoke-eks"], environment=spoke.environment, auth=None).commit
    after = tree(repo)
    assert {path: blob for path, blob in after.items() if path in before} == before  # nothing changed
    added = set(after) - set(before)
    own = (
        f"{spoke.environment_path}/",
        f"infrastructure/{spoke.environment}/",
        f"apps/{spoke.environment}/",
        "teams/payments/",
        ".platform-kit/",
        "infrastructure/policies/",  # the shared policy base: the first stack with policy on seeds it
    )
    assert all(path.startswith(own) for path in added), sorted(added)
    assert {
        f"{spoke.environment_path}/teams/payments/kustomization.yaml",
        f"{spoke.environment_path}/hub/teams/payments/gitops.yaml",
    } <= added
    again = publish_seed(url, "main", files["spoke-eks"], environment=spoke.environment, auth=None)
    assert again.commit is None and tree(repo) == after
