"""Argo CD hub and spokes (issue #17, items 2, 3, 5, 6): registration, ApplicationSets, generator evaluation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fleet_support import SPOKES

from platform_kit.cli.fleet import hub_spokes
from platform_kit.inflate.appsets import expand_application_set, selector_matches
from platform_kit.offline.preview import run_stack
from platform_kit.repo.argocd.fleet import FLEET_APPS_PROJECT, FLEET_PROJECT

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def runs():
    return {stack: run_stack(REPO_ROOT, stack) for stack in ("hub", *SPOKES)}


def hub_cluster_secrets(runs) -> dict[str, dict]:
    found = {}
    for stack in SPOKES:
        (secret,) = [r for r in runs[stack].registrations if r.name.endswith("-hub-registration-cluster")]
        found[stack] = secret
    return found


def application_sets(runs) -> list[dict]:
    files = runs["hub"].seeded_files() if hasattr(runs["hub"], "seeded_files") else None
    if files is None:
        from platform_kit.repo import render_config_repo

        files = {m.path: m.content for m in render_config_repo(runs["hub"].config)}
    return [doc for doc in yaml.safe_load_all(files["fleet/acme/applicationsets.yaml"]) if doc]


def test_the_fleet_tests_cover_every_shipped_stack_that_names_the_hub():
    assert tuple(hub_spokes(REPO_ROOT, "hub")) == SPOKES


def test_every_spoke_secret_carries_its_whole_contract_and_only_credentials_are_secret(runs):
    for stack, secret in hub_cluster_secrets(runs).items():
        config = runs[stack].config
        meta = secret.inputs["metadata"]
        assert meta["labels"]["argocd.argoproj.io/secret-type"] == "cluster"
        assert meta["labels"]["platform-kit.io/fleet"] == "acme"
        assert meta["annotations"]["platform-kit.io/repo-path"] == config.environment_path
        assert meta["annotations"]["platform-kit.io/cluster-name"] == config.cluster.name
        assert set(meta["annotations"]) >= {
            "platform-kit.io/contract-version",
            "platform-kit.io/environment",
            "platform-kit.io/eso-role-arn",
            "platform-kit.io/repo-url",
        }
        assert secret.is_secret("stringData") and not secret.is_secret("metadata")
        assert set(secret.options["additionalSecretOutputs"]) == {"data", "stringData"}


def test_eks_spoke_uses_aws_auth_and_existing_spoke_a_token(runs):
    import json

    secrets = hub_cluster_secrets(runs)
    eks = json.loads(secrets["spoke-eks"].inputs["stringData"]["config"])
    assert eks["awsAuthConfig"] == {"clusterName": "fleet-dev-eu-1"} and "bearerToken" not in eks
    local = json.loads(secrets["spoke-local"].inputs["stringData"]["config"])
    assert local["bearerToken"].startswith("fake-service-account-token")
    assert secrets["spoke-local"].inputs["stringData"]["server"] == "https://fleet-staging-onprem-1.example.com:6443"


def test_hub_role_reaches_only_the_clusters_that_registered(runs):
    hub_role = "arn:aws:iam::123456789012:role/hub-fleet-role"  # stack-references.yaml: the hub's output
    grants = [
        (stack, r)
        for stack, run in runs.items()
        for r in run.registrations
        if r.type.startswith("aws:eks/access") and r.inputs.get("principalArn") == hub_role
    ]
    assert {(stack, r.inputs["clusterName"]) for stack, r in grants} == {("spoke-eks", "fleet-dev-eu-1")}
    assert all(r.inputs.get("accessScope", {"type": "cluster"})["type"] == "cluster" for _, r in grants)
    hub = runs["hub"].registrations
    (role,) = [r for r in hub if r.type == "aws:iam/role:Role" and r.name == "hub-fleet-role"]
    assert "pods.eks.amazonaws.com" in role.inputs["assumeRolePolicy"]
    assert not [r for r in hub if r.type.startswith("aws:iam/rolePolic") and r.name.startswith("hub-fleet")]
    associations = {
        r.inputs["serviceAccount"] for r in hub if r.type == "aws:eks/podIdentityAssociation:PodIdentityAssociation"
    }
    assert associations == {"argocd-application-controller", "argocd-server", "argocd-applicationset-controller"}


def expected_layers(stack: str) -> set[str]:
    return {
        "spoke-eks": {
            "infra-controllers",
            "external-secrets",
            "kyverno",
            "infra-configs",
            "kube-prometheus-stack",
            "infra-monitoring",
            "apps",
        },
        # no secrets: nothing to monitor in infrastructure/<env>/monitoring, so no infra-monitoring layer
        "spoke-local": {"infra-controllers", "infra-configs", "kube-prometheus-stack", "apps"},
        "spoke-local-2": {"infra-controllers", "infra-configs", "kube-prometheus-stack", "apps"},
    }[stack]


def test_generators_over_the_hubs_cluster_secrets_yield_exactly_each_spokes_applications(runs, tmp_path):
    clusters = [secret.inputs for secret in hub_cluster_secrets(runs).values()]
    clusters.append({"metadata": {"labels": {"argocd.argoproj.io/secret-type": "cluster"}}, "stringData": {}})
    generated: dict[str, set[str]] = {}
    for appset in application_sets(runs):
        for app in expand_application_set(appset, clusters, tmp_path, set()):
            cluster = app["metadata"]["labels"]["platform-kit.io/cluster-name"]
            layer = app["metadata"]["labels"]["platform-kit.io/layer"]
            assert app["metadata"]["name"] == f"{cluster}-{layer}"
            assert app["spec"]["project"] == (FLEET_APPS_PROJECT if layer == "apps" else FLEET_PROJECT)
            assert "finalizers" not in app["metadata"]
            retry = app["spec"]["syncPolicy"]["retry"]  # no wave orders a spoke's layers: retry until CRDs exist
            assert retry["limit"] < 0 and retry["backoff"]["maxDuration"] == "3m"
            assert layer not in generated.get(cluster, set()), f"{cluster} gets {layer} twice"
            generated.setdefault(cluster, set()).add(layer)
            spoke = next(s for s in SPOKES if runs[s].config.cluster.name == cluster)
            config = runs[spoke].config
            assert (
                app["spec"]["destination"]["server"] == hub_cluster_secrets(runs)[spoke].inputs["stringData"]["server"]
            )
            text = yaml.safe_dump(app)
            assert "${PLATFORM_" not in text and "{{" not in text
            assert f"infrastructure/{config.environment}/" in text or layer in ("apps",) or "chart" in text
    assert generated == {runs[s].config.cluster.name: expected_layers(s) for s in SPOKES}


def test_two_spokes_of_one_environment_are_two_clusters_on_the_hub(runs, tmp_path):
    one, two = (runs[stack].config for stack in ("spoke-local", "spoke-local-2"))
    assert one.environment == two.environment == "fleet-staging" and one.cluster.name != two.cluster.name
    secrets = hub_cluster_secrets(runs)
    names = {secrets[s].inputs["metadata"]["name"] for s in ("spoke-local", "spoke-local-2")}
    assert names == {f"spoke-{one.cluster.name}", f"spoke-{two.cluster.name}"}  # two Secrets on the hub
    clusters = [secrets[s].inputs for s in ("spoke-local", "spoke-local-2")]
    values_paths: dict[str, set[str]] = {}
    for appset in application_sets(runs):
        steps = appset["spec"]["strategy"]["rollingSync"]["steps"]
        apps = expand_application_set(appset, clusters, tmp_path, set())
        for app in apps:  # both clusters in the same RollingSync step: the first one selecting them
            (step, *_) = [s for s in steps if selector_matches(s, app["metadata"]["labels"])]
            assert step["matchExpressions"] == [
                {"key": "platform-kit.io/environment", "operator": "In", "values": ["fleet-staging"]}
            ]
            cluster = app["metadata"]["labels"]["platform-kit.io/cluster-name"]
            text = yaml.safe_dump(app)
            values_paths.setdefault(cluster, set()).update(
                path for path in (one.environment_path, two.environment_path) if path in text
            )
        assert len({app["metadata"]["name"] for app in apps}) == len(apps)
    assert values_paths == {one.cluster.name: {one.environment_path}, two.cluster.name: {two.environment_path}}


def test_applicationset_count_is_constant_and_deletion_keeps_workloads(runs):
    sets = application_sets(runs)
    assert len(sets) == len({s["metadata"]["name"] for s in sets})
    for appset in sets:
        assert appset["spec"]["syncPolicy"]["preserveResourcesOnDeletion"] is True
        steps = appset["spec"]["strategy"]["rollingSync"]["steps"]
        assert [step["matchExpressions"][0]["values"] for step in steps[:3]] == [
            ["fleet-dev"],
            ["fleet-staging"],
            ["fleet-prod"],
        ]


def test_progressive_syncs_are_enabled_on_the_hub_only(runs):
    from platform_kit.repo.argocd.objects import chart_values

    key = "applicationsetcontroller.enable.progressive.syncs"
    hub = runs["hub"].config
    assert chart_values(hub, hub.gitops)["configs"]["params"][key] is True
    from platform_kit.config import load_stack_file

    staging = load_stack_file(REPO_ROOT, "staging")
    assert key not in chart_values(staging, staging.gitops)["configs"].get("params", {})


def test_selector_semantics():
    labels = {"a": "1", "b": "2"}
    assert selector_matches(
        {"matchLabels": {"a": "1"}, "matchExpressions": [{"key": "b", "operator": "In", "values": ["2"]}]}, labels
    )
    assert not selector_matches({"matchExpressions": [{"key": "b", "operator": "NotIn", "values": ["2"]}]}, labels)
    assert selector_matches({"matchExpressions": [{"key": "c", "operator": "NotIn", "values": ["2"]}]}, labels)
    assert not selector_matches({"matchExpressions": [{"key": "c", "operator": "Exists"}]}, labels)
    assert selector_matches({"matchExpressions": [{"key": "c", "operator": "DoesNotExist"}]}, labels)


def test_a_spokes_teams_reach_the_hub_through_its_cluster_secret_and_a_fixed_user(runs):
    """The spoke's own stack creates its teams' roles; its hub-side Secret carries them; the hub's Argo CD is a
    fixed user on an EKS spoke, the one the team guardrails (seeded by the spoke) let change SecretStores."""
    from platform_kit.config.fleet import HUB_USERNAME

    eks = runs["spoke-eks"]
    roles = {r.name: r for r in eks.registrations if r.type == "aws:iam/role:Role" and "-teams-" in r.name}
    assert set(roles) == {"fleet-dev-teams-payments-role"}
    annotations = hub_cluster_secrets(runs)["spoke-eks"].inputs["metadata"]["annotations"]
    assert annotations["platform-kit.io/team-payments-role-arn"].endswith(":role/fleet-dev-teams-payments-role")
    (entry,) = [r for r in eks.registrations if r.type == "aws:eks/accessEntry:AccessEntry" and "-access-" in r.name]
    assert entry.inputs["userName"] == HUB_USERNAME
    from platform_kit.repo import render_config_repo

    files = {m.path: m.content for m in render_config_repo(eks.config)}
    guardrails = files["clusters/fleet-dev/fleet-dev-eu-1/teams/payments/guardrails.yaml"]
    assert f"request.userInfo.username == '{HUB_USERNAME}'" in guardrails
    local = {m.path: m.content for m in render_config_repo(runs["spoke-local"].config)}
    user = "system:serviceaccount:kube-system:argocd-manager"  # the token the hub uses on an existing spoke
    assert (
        f"request.userInfo.username == '{user}'"
        in local["clusters/fleet-staging/fleet-staging-onprem-1/teams/search/guardrails.yaml"]
    )
