"""Hub-managed spokes inflated from the hub's Applications (issue #17): what a spoke actually receives.

The hub is inflated with its spokes' cluster Secrets (each from the spoke's own stack run) and the
spokes' seeds (`platform_kit.offline.preview_inflate.inflate_fleet`): the fleet ApplicationSets
generate each spoke's Applications, whose charts render with the spoke's own values file
(`$values/<repo-path>/values/<release>.yaml`) under the contract-derived `valuesObject`. The checks
every stack gets (charts, schemas, Pod Security) run in tests/test_chart_inflation.py on the same
session fixture; here: projects on the spoke's server, completeness per spoke, and whose values they are.
"""

from __future__ import annotations

import copy
import re

import yaml
from fleet_support import SPOKES
from inflation_support import CHARTS, FLEET_KNOWN_GAPS, KNOWN_GAPS, charts_of, unexplained

from platform_kit.config.fleet import spoke_team_project
from platform_kit.inflate import Bootstrap, ChartStore, inflate
from platform_kit.inflate.argo_sources import destination_server
from platform_kit.inflate.checks import project_violations
from platform_kit.repo.argocd.fleet import FLEET_APPS_PROJECT, FLEET_PROJECT
from platform_kit.repo.argocd.fleet_teams import FLEET_TEAMS_PROJECT


def generated_for(fleet, stack: str) -> list[dict]:
    """The Applications the hub's ApplicationSets generated with this spoke as destination."""
    server = fleet.server(stack)
    names = {fleet.runs[spoke].config.cluster.name: fleet.server(spoke) for spoke in SPOKES}
    return [
        app
        for source in fleet.whole.sources
        if source.kind == "ApplicationSet"
        for app in source.objects
        if destination_server(app["spec"]["destination"], names) == server
    ]


def test_every_application_the_hub_generates_for_a_spoke_is_inflated_or_listed(project_fleet):
    for stack in SPOKES:
        view, server = project_fleet.views[stack], project_fleet.server(stack)
        apps = {app["metadata"]["name"] for app in generated_for(project_fleet, stack)}
        assert len(apps) >= 4
        inflated = {source.name for source in view.sources if source.server == server}
        listed = {
            name
            for name in apps
            if any(line.startswith(f"argocd Application/{name}: path") for line in view.not_inflated)
        }
        assert inflated | listed == apps and not inflated & listed
        assert all(source.server in ("", server) for source in view.sources)
        charts = {s.chart.name for s in view.sources if s.chart and s.objects}
        assert charts == charts_of(project_fleet.runs[stack].config)
        assert all(s.applier == "argocd" and s.project == FLEET_PROJECT for s in view.sources if s.chart)


def test_known_fleet_gaps_are_still_real_and_nothing_else_is_missing(project_fleet):
    for stack in SPOKES:
        view = project_fleet.views[stack]
        gaps = FLEET_KNOWN_GAPS.get(stack, ())
        assert unexplained(view.not_inflated, [*KNOWN_GAPS, *gaps]) == []
        for gap in gaps:  # fixed? then drop it from FLEET_KNOWN_GAPS (and docs/fleets.md, Limits)
            assert any(re.match(gap, line) for line in view.not_inflated), gap
    assert unexplained(project_fleet.views["hub"].not_inflated) == []


def test_every_object_on_a_spoke_is_permitted_by_its_project_on_that_server(project_fleet):
    whole = project_fleet.whole
    assert project_violations(whole) == []
    for stack in SPOKES:
        server = project_fleet.server(stack)
        projects = {s.project for s in whole.sources if s.server == server}
        config = project_fleet.runs[stack].config
        teams = {spoke_team_project(config.cluster.name, team.name) for team in config.teams}
        assert projects == {FLEET_PROJECT, FLEET_APPS_PROJECT} | ({FLEET_TEAMS_PROJECT} | teams if teams else set())
        assert sum(len(s.objects) for s in whole.sources if s.server == server) > 50


def test_the_fleet_project_refuses_the_same_objects_on_the_hub_and_outside_its_namespaces(project_fleet):
    """Server-aware: the `fleet` project denies the in-cluster server; dropping `monitoring` refuses the chart."""
    on_hub = copy.deepcopy(project_fleet.whole)
    eks = project_fleet.server("spoke-eks")
    for source in on_hub.sources:
        if source.server == eks and source.name.endswith("kube-prometheus-stack"):
            source.server = ""
    refused = project_violations(on_hub)
    assert refused and all("kube-prometheus-stack" in line and "(project fleet)" in line for line in refused)
    narrowed = copy.deepcopy(project_fleet.whole)
    for _, obj in narrowed.objects():
        if obj.get("kind") == "AppProject" and obj["metadata"]["name"] == FLEET_PROJECT:
            obj["spec"]["destinations"] = [d for d in obj["spec"]["destinations"] if d["namespace"] != "monitoring"]
    refused = project_violations(narrowed)
    assert any(f"namespace monitoring is not permitted on {eks}" in line for line in refused)


def objects_of(view, kind: str, name: str) -> list[dict]:
    return [obj for _, obj in view.objects() if obj.get("kind") == kind and obj["metadata"].get("name") == name]


def test_each_spoke_gets_its_own_contract_values(project_fleet):
    runs = project_fleet.runs
    for stack in SPOKES:
        config = runs[stack].config
        (info,) = objects_of(project_fleet.views[stack], "ConfigMap", "platform-info")
        assert info["data"]["clusterName"] == config.cluster.name
        assert info["data"]["environment"] == config.environment
        assert info["data"]["clusterKind"] == config.cluster.kind
    eks = project_fleet.views["spoke-eks"]
    (store,) = objects_of(eks, "ClusterSecretStore", "aws-secrets-manager")
    assert store["spec"]["provider"]["aws"]["region"] == runs["spoke-eks"].config.cluster.region
    (external,) = objects_of(eks, "ExternalSecret", "grafana-admin")
    eks_config = runs["spoke-eks"].config  # a spoke's secrets prefix is per cluster: <env>/<cluster>/platform/
    expected_key = f"{eks_config.environment}/{eks_config.cluster.name}/platform/grafana-admin"
    assert {d["remoteRef"]["key"] for d in external["spec"]["data"]} == {expected_key}
    # ESO's service account is the one the spoke's own Pod Identity association names (no role annotation)
    (association,) = [
        r.inputs
        for r in runs["spoke-eks"].registrations
        if r.type == "aws:eks/podIdentityAssociation:PodIdentityAssociation" and "eso" in r.name
    ]
    (account,) = objects_of(eks, "ServiceAccount", association["serviceAccount"])
    assert account["metadata"]["namespace"] == association["namespace"]
    assert association["clusterName"] == runs["spoke-eks"].config.cluster.name
    local = project_fleet.views["spoke-local"]
    assert not objects_of(local, "ClusterSecretStore", "aws-secrets-manager")  # no secrets on that spoke


# ------------------------------------------------------------------ multi-source values, on a small fleet


ESO = ("external-secrets", "0.19.2")
APPSET = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "ApplicationSet",
    "metadata": {"name": "eso", "namespace": "argocd"},
    "spec": {
        "goTemplate": True,
        "generators": [{"clusters": {"selector": {"matchLabels": {"spoke": "yes"}}}}],
        "template": {
            "metadata": {"name": "{{ .name }}-eso"},
            "spec": {
                "project": "default",
                "destination": {"server": "{{ .server }}", "namespace": "external-secrets"},
                "sources": [
                    {
                        "repoURL": "https://charts.external-secrets.io",
                        "chart": ESO[0],
                        "targetRevision": ESO[1],
                        "helm": {
                            "releaseName": "external-secrets",
                            "valuesObject": {
                                "serviceAccount": {
                                    "annotations": {
                                        "eks.amazonaws.com/role-arn": '{{ index .metadata.annotations "role" }}'
                                    }
                                }
                            },
                            "valueFiles": [
                                '$values/{{ index .metadata.annotations "path" }}/values/eso.yaml',
                                "$values/missing.yaml",
                            ],
                            "ignoreMissingValueFiles": True,
                        },
                    },
                    {"repoURL": "https://git.example.com/fleet.git", "targetRevision": "main", "ref": "values"},
                ],
            },
        },
    },
}


def cluster(name: str, server: str, role: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "namespace": "argocd",
            "labels": {"argocd.argoproj.io/secret-type": "cluster", "spoke": "yes"},
            "annotations": {"role": role, "path": f"clusters/{name}"},
        },
        "stringData": {"name": name, "server": server},
    }


def small_fleet(values_a: dict, *, ignore_missing: bool = True):
    appset = copy.deepcopy(APPSET)
    appset["spec"]["template"]["spec"]["sources"][0]["helm"]["ignoreMissingValueFiles"] = ignore_missing
    root = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "root", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {"repoURL": "https://git.example.com/fleet.git", "path": "fleet"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "argocd"},
        },
    }
    files = {
        "fleet/appset.yaml": yaml.safe_dump(appset),
        "clusters/a/values/eso.yaml": yaml.safe_dump(values_a),
        "clusters/b/values/eso.yaml": yaml.safe_dump({"replicaCount": 3}),
    }
    bootstrap = Bootstrap(
        [root, cluster("a", "https://a.example:6443", "arn:a"), cluster("b", "https://b.example:6443", "arn:b")]
    )
    return inflate(files, bootstrap, ChartStore(CHARTS))


def test_multi_source_values_come_from_each_clusters_file_under_the_values_object():
    values_a = {
        "replicaCount": 2,
        "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": "from-file", "team": "a"}},
    }
    inflation = small_fleet(values_a)
    assert inflation.servers() == ["https://a.example:6443", "https://b.example:6443"]
    assert inflation.not_inflated == []
    for server, replicas, role in (("https://a.example:6443", 2, "arn:a"), ("https://b.example:6443", 3, "arn:b")):
        view = inflation.on(server)
        (source,) = view.sources
        assert source.chart.name == ESO[0] and source.namespace == "external-secrets"
        (deployment,) = objects_of(view, "Deployment", "external-secrets")
        assert deployment["spec"]["replicas"] == replicas
        (account,) = objects_of(view, "ServiceAccount", "external-secrets")
        assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == role  # valuesObject wins
    (account_a,) = objects_of(inflation.on("https://a.example:6443"), "ServiceAccount", "external-secrets")
    assert account_a["metadata"]["annotations"]["team"] == "a"  # maps merge: the file's other keys stay


def test_a_missing_value_file_without_ignore_fails_only_that_application():
    inflation = small_fleet({"replicaCount": 2}, ignore_missing=False)
    assert [line.split(":")[0] for line in inflation.not_inflated] == [
        "argocd Application/a-eso",
        "argocd Application/b-eso",
    ]
    assert all("$values/missing.yaml does not exist" in line for line in inflation.not_inflated)
    assert inflation.on("https://a.example:6443").sources == []
    assert inflation.on("https://a.example:6443").not_inflated == inflation.not_inflated[:1]
