"""The hub's `fleet/` output checked with real parts (issue #17): kustomize builds it, every object is valid
against its schema, the hub's argo-cd chart (the vendored 8.0.0 archive, Helm's engine) really enables
progressive syncs, and the `fleet` AppProject under Argo CD 3.0's destination rule reaches every spoke's
platform namespaces and never the hub itself."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

import pytest
from fleet_support import FLEET, destination_permitted, seed_union, spoke_secret, write_tree
from stack_support import REPO_ROOT

from platform_kit import versions
from platform_kit.config import load_stack_file
from platform_kit.inflate import ChartRef, ChartStore
from platform_kit.inflate.appsets import expand_application_set
from platform_kit.offline.preview_inflate import DEFAULT_CHART_DIR
from platform_kit.repo.argocd.fleet import FLEET_APPS_PROJECT, FLEET_PROJECT
from platform_kit.repo.argocd.fleet_hub import fleet_destinations
from platform_kit.repo.argocd.objects import IN_CLUSTER, chart_values
from platform_kit.validation.manifests import kustomize_build, validate_object, validate_tree

PROGRESSIVE = "applicationsetcontroller.enable.progressive.syncs"


@pytest.fixture(scope="module")
def configs():
    return {stack: load_stack_file(REPO_ROOT, stack) for stack in FLEET}


@pytest.fixture(scope="module")
def repo(configs, tmp_path_factory) -> Path:
    """The fleet's config repo: the hub's seed and every spoke's seed in one tree."""
    return write_tree(tmp_path_factory.mktemp("fleet-repo"), seed_union(configs.values()))


@pytest.fixture(scope="module")
def fleet_objects(repo) -> list[dict]:
    return kustomize_build(repo / "fleet" / "acme")


def test_the_whole_fleet_repo_builds_and_validates(repo):
    assert (repo / "fleet/acme/kustomization.yaml").is_file()
    assert (repo / "clusters/fleet-dev/fleet-dev-eu-1/values/kube-prometheus-stack.yaml").is_file()
    assert validate_tree(repo) == []  # what `platform-kit validate-repo` (the repo's CI gate) runs


def test_fleet_layer_builds_to_applicationsets_a_project_and_alerts_each_valid(fleet_objects):
    kinds = sorted({o["kind"] for o in fleet_objects})
    assert kinds == ["AppProject", "ApplicationSet", "PrometheusRule"]
    assert sum(o["kind"] == "ApplicationSet" for o in fleet_objects) == 15  # 10 layers, 5 for the spokes' teams
    assert sum(o["kind"] == "AppProject" for o in fleet_objects) == 4
    for obj in fleet_objects:
        assert validate_object(obj) == [], obj["metadata"]["name"]


@pytest.mark.parametrize(
    ("kind", "change", "field"),
    [
        (
            "ApplicationSet",
            lambda o: o["spec"]["strategy"]["rollingSync"]["steps"][0].update(matchExpressions="fleet-dev"),
            "spec.strategy.rollingSync.steps[0].matchExpressions",
        ),
        ("AppProject", lambda o: o["spec"]["destinations"][0].update(cluster="x"), "spec.destinations[0]"),
        ("PrometheusRule", lambda o: o["spec"]["groups"][0]["rules"][0].pop("expr"), "spec.groups[0].rules[0]"),
    ],
)
def test_the_schemas_reject_a_broken_copy_of_each_kind(fleet_objects, kind, change, field):
    broken = copy.deepcopy(next(o for o in fleet_objects if o["kind"] == kind))
    change(broken)
    problems = validate_object(broken)
    assert problems and any(field in problem for problem in problems), problems


def rendered_argocd(config) -> list[dict]:
    store = ChartStore(REPO_ROOT / DEFAULT_CHART_DIR)
    ref = ChartRef("argo-cd", versions.ARGOCD_CHART_VERSION)
    assert versions.ARGOCD_CHART_VERSION == "8.0.0"
    return store.render(ref, chart_values(config, config.gitops), release="argocd", namespace="argocd").objects


def test_progressive_syncs_land_in_the_rendered_chart_of_the_hub_only(configs):
    hub = rendered_argocd(configs["hub"])
    (params,) = [o for o in hub if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "argocd-cmd-params-cm"]
    assert params["data"][PROGRESSIVE] == "true"
    (controller,) = [
        o for o in hub if o["kind"] == "Deployment" and o["metadata"]["name"] == "argocd-applicationset-controller"
    ]
    (container,) = controller["spec"]["template"]["spec"]["containers"]
    (env,) = [e for e in container["env"] if e["name"] == "ARGOCD_APPLICATIONSET_CONTROLLER_ENABLE_PROGRESSIVE_SYNCS"]
    assert env["valueFrom"]["configMapKeyRef"] == {"name": "argocd-cmd-params-cm", "key": PROGRESSIVE, "optional": True}
    standalone = rendered_argocd(load_stack_file(REPO_ROOT, "staging"))
    (params,) = [o for o in standalone if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "argocd-cmd-params-cm"]
    assert params["data"][PROGRESSIVE] == "false"  # the chart default, untouched outside the hub


def test_the_repo_copy_of_the_hubs_argocd_keeps_progressive_syncs(repo):
    """The hub's Argo CD manages itself from the repo after bootstrap: its values there must agree."""
    text = (repo / "clusters/hub/argocd.yaml").read_text()
    assert f"{PROGRESSIVE}: true" in text


# ---------------------------------------------------------------- AppProject destinations (Argo CD 3.0)

UPSTREAM_CASES = [  # argo-cd v3.0.0 types_test.go TestAppProject_IsNegatedDestinationPermitted, restated
    ([("!https://kubernetes.default.svc", "", "default")], ("https://kubernetes.default.svc", "", "default"), False),
    ([("https://kubernetes.default.svc", "", "!default")], ("https://kubernetes.default.svc", "", "kube-system"), True),
    ([("!https://my-cluster", "", "default")], ("https://kubernetes.default.svc", "", "default"), True),
    ([("!https://kubernetes.default.svc", "", "*")], ("https://kubernetes.default.svc", "", "kube-system"), False),
    ([("!https://*.default.svc", "", "default")], ("https://kubernetes.default.svc", "", "default"), False),
    ([("!https://team1-*", "", "default")], ("https://test2-dev-cluster", "", "default"), True),
    ([("https://kubernetes.default.svc", "", "!test-*")], ("https://kubernetes.default.svc", "", "test-foo"), False),
    ([("https://kubernetes.default.svc", "", "!test-*")], ("https://kubernetes.default.svc", "", "test"), True),
    ([("", "!test", "*")], ("", "test", "test"), False),
    ([("", "!test2", "*")], ("", "test", "test"), True),
    ([("*", "", "kube-system"), ("*", "", "!kube-system")], ("https://a", "", "kube-system"), False),
]


@pytest.mark.parametrize(("project", "app", "permitted"), UPSTREAM_CASES)
def test_the_destination_rule_agrees_with_argocds_own_cases(project, app, permitted):
    destinations = [{"server": s, "name": n, "namespace": ns} for s, n, ns in project]
    assert destination_permitted(destinations, *app) is permitted


def test_a_negated_server_with_any_namespace_would_open_every_namespace_of_every_spoke():
    """Why the fleet project negates the hub on each namespace's entry (the first version did not)."""
    naive = [{"server": "!" + IN_CLUSTER, "namespace": "*"}, {"server": "*", "namespace": "monitoring"}]
    assert destination_permitted(naive, "https://spoke", "spoke", "default")  # any namespace: too wide
    assert not destination_permitted(naive, IN_CLUSTER, "in-cluster", "monitoring")
    fixed = fleet_destinations(["monitoring"])
    assert not destination_permitted(fixed, "https://spoke", "spoke", "default")
    assert destination_permitted(fixed, "https://spoke", "spoke", "monitoring")
    assert not destination_permitted(fixed, IN_CLUSTER, "in-cluster", "monitoring")


def test_the_fleet_projects_permit_every_generated_application_and_never_the_hub(configs, repo, fleet_objects):
    projects = {o["metadata"]["name"]: o["spec"] for o in fleet_objects if o["kind"] == "AppProject"}
    assert {FLEET_PROJECT, FLEET_APPS_PROJECT} <= set(projects)  # the teams' two: tests/test_fleet_teams.py
    clusters = [spoke_secret(configs[stack]) for stack in FLEET[1:]]
    names = {secret["stringData"]["server"]: secret["stringData"]["name"] for secret in clusters}
    applications = [
        app
        for appset in (o for o in fleet_objects if o["kind"] == "ApplicationSet" and "matrix" not in str(o))
        for app in expand_application_set(appset, clusters, repo, set())
    ]
    assert len(applications) == 7 + 4 + 4  # spoke-eks: 7 layers; each existing spoke of fleet-staging: 4
    platform_namespaces = set()
    for app in applications:
        project = projects[app["spec"]["project"]]
        destination = app["spec"]["destination"]
        server, namespace = destination["server"], destination["namespace"]
        assert destination_permitted(project["destinations"], server, names[server], namespace), destination
        assert not destination_permitted(project["destinations"], IN_CLUSTER, "in-cluster", namespace)
        sources = app["spec"].get("sources") or [app["spec"]["source"]]
        assert all(source["repoURL"] in project["sourceRepos"] for source in sources), sources
        if app["spec"]["project"] == FLEET_PROJECT:
            platform_namespaces.add(namespace)
    destinations = projects[FLEET_PROJECT]["destinations"]
    for server, namespace in itertools.product(names, ("default", "argocd", "team-a")):
        assert namespace not in platform_namespaces
        assert not destination_permitted(destinations, server, names[server], namespace)  # platform layers: only theirs
        assert destination_permitted(projects[FLEET_APPS_PROJECT]["destinations"], server, names[server], namespace)
