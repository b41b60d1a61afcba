"""The real charts at the pinned versions, rendered with the values the library writes, in every stack.

Each shipped stack and two team-heavy stacks (Flux and Argo CD, 25 teams) are run offline and
inflated the way their agent would apply them (`platform_kit.inflate`; the fleet's hub with its
spokes registered, each hub-managed spoke as what its own run and the hub's Applications land on
it: tests/inflation_support.py): kustomize builds,
Flux post-build substitution, and the vendored chart archives rendered by Helm's own engine
(helm-python-sdk). Then every inflated object must be valid (kubernetes-validate strict for
built-in kinds, CRD schemas, the charts' own CRDs first), permitted by the Argo CD project
that deploys it, and its pods must pass Pod Security `restricted` unless the library's own
Kyverno exceptions cover them.
"""

from __future__ import annotations

import copy
import json
import tarfile
from pathlib import Path

import helm_python
import pytest
import yaml
from factories import config_values
from inflation_support import (
    CHARTS,
    FLEET_KNOWN_GAPS,
    KNOWN_GAPS,
    charts_of,
    exemptions,
    overlay_crd_schemas,
    unexplained,
)
from stack_support import REPO_ROOT, project_skeleton
from teams_support import TEAMS_CONFIG, many_teams

from platform_kit import versions
from platform_kit.inflate import ChartError, ChartRef, ChartStore
from platform_kit.inflate.checks import pod_security_problems, project_violations
from platform_kit.offline.preview import run_stack
from platform_kit.offline.preview_inflate import inflate_run
from platform_kit.validation.manifests import validate_object

PINNED_CHARTS = {
    "argo-cd": versions.ARGOCD_CHART_VERSION,
    "external-secrets": versions.EXTERNAL_SECRETS_CHART_VERSION,
    "kube-prometheus-stack": versions.KUBE_PROMETHEUS_STACK_CHART_VERSION,
    "kyverno": versions.KYVERNO_CHART_VERSION,
    "karpenter": versions.KARPENTER_CHART_VERSION,
    "aws-load-balancer-controller": versions.AWS_LOAD_BALANCER_CONTROLLER_CHART_VERSION,
    "external-dns": versions.EXTERNAL_DNS_CHART_VERSION,
    "cert-manager": versions.CERT_MANAGER_CHART_VERSION,
    "metrics-server": versions.METRICS_SERVER_CHART_VERSION,
}
"""Every chart the platform installs whose archive is vendored (flux-operator is not: see KNOWN_GAPS)."""

SHIPPED_STACKS = sorted(path.stem[len("Pulumi.") :] for path in (REPO_ROOT / "stacks").glob("Pulumi.*.yaml"))
KPS = "kube-prometheus-stack"
TEAM_STACKS = {"teams-flux": "flux", "teams-argocd": "argocd"}


def _team_project(root: Path) -> Path:
    """A project with two 25-team stacks (EKS, every service) next to the repo's stack program."""
    project = project_skeleton(root)
    for stack, agent in TEAM_STACKS.items():
        config = config_values(TEAMS_CONFIG, agent=agent, cluster="eks", services={"secrets": {}}, teams=many_teams(25))
        config["environment"] = stack  # one environment per stack (the seed record is per environment)
        document = {"config": {f"platform:{key}": value for key, value in config.items()}}
        (project / "stacks" / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return project


@pytest.fixture(scope="module")
def inflations(tmp_path_factory, project_fleet):
    """Stack name -> (its run's config, its inflation) for every shipped stack and the team stacks; the fleet's
    stacks as what lands on each one's cluster (the hub inflated with its spokes' cluster Secrets)."""
    team_project = _team_project(tmp_path_factory.mktemp("teams") / "project")
    result = {}
    for stack in SHIPPED_STACKS:
        if stack in project_fleet.views:
            result[stack] = (project_fleet.runs[stack].config, project_fleet.views[stack])
            continue
        run = run_stack(REPO_ROOT, stack)
        result[stack] = (run.config, inflate_run(run, CHARTS))
    for stack in TEAM_STACKS:
        run = run_stack(team_project, stack)
        result[stack] = (run.config, inflate_run(run, CHARTS))
    return result


ALL_STACKS = [*SHIPPED_STACKS, *TEAM_STACKS]


# ------------------------------------------------------------------ the vendored charts


@pytest.mark.parametrize("chart", sorted(PINNED_CHARTS))
def test_the_vendored_archive_is_the_pinned_chart_version(chart):
    """Bumping a pin in platform_kit/versions.py fails here until the archive of that version is vendored."""
    archive = CHARTS / f"{chart}-{PINNED_CHARTS[chart]}.tgz"
    assert archive.is_file(), f"vendor {archive.name} (see tests/fixtures/charts/README.md)"
    loaded = helm_python.Chart.load(str(archive))
    assert (loaded.name, loaded.version) == (chart, PINNED_CHARTS[chart])


def test_no_stale_archive_is_left_behind():
    expected = {f"{chart}-{version}.tgz" for chart, version in PINNED_CHARTS.items()}
    assert {path.name for path in CHARTS.glob("*.tgz")} == expected
    assert (CHARTS / "LICENSE-Apache-2.0.txt").read_text().lstrip().startswith("Apache License")


def test_a_chart_missing_from_the_store_names_the_archive_and_how_to_get_it(tmp_path):
    store = ChartStore(tmp_path)
    with pytest.raises(ChartError, match=r"kyverno-9\.9\.9\.tgz; `helm pull` it from https://kyverno\.github\.io"):
        store.render(ChartRef("kyverno", "9.9.9", "https://kyverno.github.io/kyverno/"), {}, release="k", namespace="k")


def test_a_bad_value_is_a_render_error_naming_the_chart():
    store = ChartStore(CHARTS)
    ref = ChartRef("external-secrets", versions.EXTERNAL_SECRETS_CHART_VERSION)
    with pytest.raises(ChartError, match="chart external-secrets .* failed to render"):
        store.render(ref, {"replicaCount": "three"}, release="eso", namespace="eso")


# ------------------------------------------------------------------ inflation per stack


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_every_chart_the_stack_installs_is_inflated_and_nothing_else_is_missing(inflations, stack):
    config, inflation = inflations[stack]
    rendered = {source.chart.name for source in inflation.sources if source.chart and source.objects}
    assert rendered == charts_of(config)
    assert unexplained(inflation.not_inflated, fleet_gaps(stack)) == []
    assert inflation.undefined_variables == {}


def fleet_gaps(stack: str) -> list[str]:
    return [*KNOWN_GAPS, *FLEET_KNOWN_GAPS.get(stack, ())]


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_every_inflated_object_is_valid(inflations, stack, crd_schemas):
    _, inflation = inflations[stack]
    problems = []
    for source, obj in inflation.objects():
        if source.applier == "pulumi" and source.kind == "objects":
            continue  # Pulumi's own objects carry masked secrets; test_render validates them
        problems += [f"{source.label}: {p}" for p in validate_object(obj, schema_dir=crd_schemas)]
    assert problems == []


@pytest.mark.parametrize("stack", [s for s in ALL_STACKS if s in ("staging", "local-argocd", "teams-argocd", "hub")])
def test_argocd_permits_every_object_in_the_project_that_deploys_it(inflations, stack):
    _, inflation = inflations[stack]
    assert any(source.applier == "argocd" for source in inflation.sources)
    assert project_violations(inflation) == []


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_pods_meet_restricted_pod_security_or_have_a_documented_exception(inflations, stack):
    _, inflation = inflations[stack]
    exempt = exemptions([obj for _, obj in inflation.objects()])
    problems = []
    workloads = 0
    for source, obj in inflation.objects():
        found = pod_security_problems(obj)
        workloads += bool(found) or obj.get("kind") in ("Deployment", "StatefulSet", "DaemonSet", "Job")
        meta = obj.get("metadata") or {}
        if found and not exempt(obj.get("kind"), meta.get("namespace") or source.namespace, meta.get("name")):
            problems.append(f"{source.label}: {obj['kind']}/{meta.get('name')}: {'; '.join(found)}")
    assert problems == []
    if charts_of(inflations[stack][0]):
        assert workloads > 0  # the check saw the charts' workloads


def test_the_pod_security_check_finds_what_restricted_forbids():
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "bad"},
        "spec": {
            "template": {
                "spec": {
                    "hostNetwork": True,
                    "volumes": [{"name": "root", "hostPath": {"path": "/"}}],
                    "containers": [{"name": "app", "securityContext": {"privileged": True}}],
                }
            }
        },
    }
    problems = pod_security_problems(deployment)
    assert "hostNetwork is true" in problems
    assert "volume root uses hostPath" in problems
    assert "container app: privileged" in problems
    assert "container app: runAsNonRoot is not true" in problems


@pytest.mark.parametrize("stack", ["dev", "teams-flux"])
def test_kube_prometheus_stack_lands_nothing_where_eks_cannot_scrape(inflations, stack):
    """EKS hides the scheduler, controller-manager and etcd: no scrape target and no alert for them."""
    _, inflation = inflations[stack]
    objects = [obj for source, obj in inflation.objects() if source.chart and source.chart.name == KPS]
    names = " ".join(obj["metadata"]["name"] for obj in objects)
    assert "kube-prometheus-stack-prometheus" in names  # the chart did render
    for component in ("kube-scheduler", "kube-controller-manager", "kube-etcd"):
        assert component not in names
    rules = json.dumps([obj for obj in objects if obj["kind"] == "PrometheusRule"])
    for job in ('job=\\"kube-scheduler\\"', 'job=\\"kube-controller-manager\\"', 'job=~\\".*etcd.*\\"'):
        assert job not in rules


SUBCHART_WORKLOADS = {
    "grafana": ("Deployment", "kube-prometheus-stack-grafana"),
    "kube-state-metrics": ("Deployment", "kube-prometheus-stack-kube-state-metrics"),
    "prometheus-node-exporter": ("DaemonSet", "kube-prometheus-stack-prometheus-node-exporter"),
}
"""kube-prometheus-stack's vendored subcharts (tests/fixtures/charts/README.md) and the workload each renders."""


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_kube_prometheus_stack_renders_its_subcharts_at_the_versions_it_declares(inflations, stack):
    """Grafana, kube-state-metrics and node-exporter come from the subcharts packaged in the archive; only
    node-exporter breaks `restricted`, and only the library's node-exporter PolicyException covers it."""
    _, inflation = inflations[stack]
    everything = [obj for _, obj in inflation.objects()]
    exempt = exemptions(everything)
    declared = {
        dependency["name"]: dependency["version"]
        for dependency in helm_python.Chart.load(str(CHARTS / f"{KPS}-{PINNED_CHARTS[KPS]}.tgz")).metadata[
            "dependencies"
        ]
    }
    objects = [obj for source, obj in inflation.objects() if source.chart and source.chart.name == KPS]
    for subchart, (kind, suffix) in SUBCHART_WORKLOADS.items():
        found = [obj for obj in objects if obj["kind"] == kind and obj["metadata"]["name"].endswith(suffix)]
        assert len(found) == 1, f"{subchart}: {kind} *{suffix} not rendered"
        workload = found[0]
        assert workload["metadata"]["labels"]["helm.sh/chart"] == f"{subchart}-{declared[subchart]}"
        problems = pod_security_problems(workload)
        if subchart == "prometheus-node-exporter":
            assert "hostNetwork is true" in problems and "hostPID is true" in problems
            assert exempt(kind, "monitoring", workload["metadata"]["name"])
            assert not exempt("Deployment", "monitoring", workload["metadata"]["name"].replace("node", "other"))
        else:
            assert problems == [], f"{subchart}: {problems}"
    # Grafana's `helm test` hook Pod is switched off (no agent runs test hooks).
    assert not [obj for obj in objects if (obj["metadata"].get("annotations") or {}).get("helm.sh/hook") == "test"]


def test_a_subchart_missing_from_the_archive_is_reported_and_its_objects_are_absent(tmp_path):
    """The kube-prometheus-stack archive without its grafana subchart: the store names what is missing."""
    archive = CHARTS / f"{KPS}-{PINNED_CHARTS[KPS]}.tgz"
    with tarfile.open(archive) as full, tarfile.open(tmp_path / archive.name, "w:gz") as stripped:
        for member in full.getmembers():
            if not member.name.endswith("/charts/grafana-9.4.5.tgz"):
                stripped.addfile(member, full.extractfile(member))
    ref = ChartRef(KPS, PINNED_CHARTS[KPS])
    complete = ChartStore(CHARTS).render(ref, {}, release=KPS, namespace="monitoring")
    partial = ChartStore(tmp_path).render(ref, {}, release=KPS, namespace="monitoring")
    assert complete.missing_subcharts == []
    assert partial.missing_subcharts == ["grafana 9.4.5"]

    def grafana(rendered):
        return [obj for obj in rendered.objects if obj["metadata"]["name"] == f"{KPS}-grafana"]

    assert grafana(complete) and not grafana(partial)


# ------------------------------------------------------------------ schemas


@pytest.fixture(scope="module")
def crd_schemas(inflations, tmp_path_factory) -> Path:
    """The bundled CRD schemas, overlaid with the schemas of every CRD the charts install."""
    directory = tmp_path_factory.mktemp("schemas") / "crds"
    return overlay_crd_schemas(directory, [inflation for _, inflation in inflations.values()])


def test_a_namespace_the_project_does_not_permit_is_reported(inflations):
    """Without kube-system in the platform project, kube-prometheus-stack's exporter Services are refused."""
    _, inflation = inflations["staging"]
    narrowed = copy.deepcopy(inflation)
    for _, obj in narrowed.objects():
        if obj.get("kind") == "AppProject" and obj["metadata"]["name"] == "platform":
            obj["spec"]["destinations"] = [d for d in obj["spec"]["destinations"] if d["namespace"] != "kube-system"]
    refused = project_violations(narrowed)
    assert refused
    assert all("namespace kube-system is not permitted (project platform)" in line for line in refused)
    assert any("Service/kube-system/kube-prometheus-stack-coredns" in line for line in refused)


def test_render_inflate_writes_each_source_and_an_index(tmp_path):
    from click.testing import CliRunner

    from platform_kit.cli import main

    out = tmp_path / "dev"
    token = "ghp_inflateMustNeverShowThis0123456789"
    args = ["render", "--stack", "dev", "--out", str(out), "--inflate", "--project", str(REPO_ROOT)]
    result = CliRunner().invoke(main, args, env={"PLATFORM_GIT_TOKEN": token})
    assert result.exit_code == 0, result.output
    index = json.loads((out / "inflated" / "inflation.json").read_text())
    files = sorted(path.name for path in (out / "inflated").glob("*.yaml"))
    assert files == sorted(source["file"] for source in index["sources"] if source["file"])
    assert index["objects"] == sum(source["objects"] for source in index["sources"]) > 200
    kps = next(source for source in index["sources"] if source["name"] == KPS)
    assert kps["chart"] == f"{KPS} {versions.KUBE_PROMETHEUS_STACK_CHART_VERSION}" and kps["objects"] > 50
    assert f"inflated {index['objects']} objects" in result.output
    written = "".join(path.read_text() for path in (out / "inflated").iterdir())
    assert token not in written and token not in result.output
    assert "[secret]" in (out / "inflated" / files[0]).read_text()  # Pulumi's Secrets appear masked


def test_render_inflate_without_a_chart_store_is_a_user_error(tmp_path):
    from click.testing import CliRunner

    from platform_kit.cli import main

    args = ["render", "--stack", "dev", "--out", str(tmp_path / "o"), "--inflate", "--charts", str(tmp_path / "none")]
    result = CliRunner().invoke(main, [*args, "--project", str(REPO_ROOT)])
    assert result.exit_code == 2
    assert "--inflate needs a directory of packaged charts" in result.output
    assert not (tmp_path / "o").exists()
