"""A fleet of 100 spokes (issue #17, item 7), pure: their cluster Secrets through the ApplicationSet generators
yield exactly each spoke's Applications, and the hub's ApplicationSets do not grow with the spokes."""

from __future__ import annotations

import itertools

import pytest
import yaml
from factories import make_config
from fleet_support import seed_union, spoke_secret, write_tree
from stack_support import REPO_ROOT

from platform_kit.config import load_stack_file
from platform_kit.inflate.appsets import expand_application_set
from platform_kit.repo import render_config_repo
from platform_kit.repo.argocd.fleet import fleet_application_sets

PROFILES = list(itertools.product((False, True), (False, True), (False, True)))  # secrets, observability, policy


def spoke(index: int):
    secrets, observability, policy = PROFILES[index % len(PROFILES)]
    services = {
        **({"secrets": {}} if secrets else {}),
        **({"observability": {}} if observability else {}),
        **({"policy": {"mode": "Audit"}} if policy else {}),
    }
    return make_config(
        {"cluster.name": f"spoke-{index:03d}"},
        agent="argocd",
        cluster="eks",
        environment=("fleet-dev", "fleet-staging", "fleet-prod", "edge")[index % 4] + f"-{index:03d}",
        repo={"url": "https://github.com/acme/fleet-config.git"},
        services=services,
        fleet={"role": "spoke", "hub": {"stack": "acme/platform-kit/hub"}},
    )


def layers_of(config) -> set[str]:
    services = config.services
    layers = {"infra-controllers", "infra-configs", "apps"}
    layers |= {"external-secrets"} if services.secrets.enabled else set()
    layers |= {"kube-prometheus-stack"} if services.observability.enabled else set()
    # infrastructure/<env>/monitoring holds ESO's monitors only (a spoke runs no Argo CD to monitor)
    layers |= {"infra-monitoring"} if services.observability.enabled and services.secrets.enabled else set()
    layers |= {"kyverno"} if services.policy.enabled else set()
    return layers


@pytest.fixture(scope="module")
def hub():
    return load_stack_file(REPO_ROOT, "hub")


@pytest.fixture(scope="module")
def hub_files(hub) -> dict[str, str]:
    return {m.path: m.content for m in render_config_repo(hub)}


@pytest.fixture(scope="module")
def appsets(hub_files) -> list[dict]:
    return [d for d in yaml.safe_load_all(hub_files["fleet/acme/applicationsets.yaml"]) if d]


def test_the_hubs_applicationsets_do_not_depend_on_its_spokes(hub, appsets):
    """The hub's seed is a function of the hub's config alone (no spoke is an input): 10 ApplicationSets."""
    assert appsets == fleet_application_sets(hub) and len(appsets) == 10


@pytest.mark.parametrize("count", [10, 100])
def test_n_spokes_get_exactly_their_applications(hub_files, appsets, count, tmp_path):
    spokes = [spoke(i) for i in range(count)]
    repo = write_tree(tmp_path, {**hub_files, **seed_union(spokes)})
    secrets = [spoke_secret(config) for config in spokes]
    generated: dict[str, set[str]] = {}
    for appset in appsets:
        for app in expand_application_set(appset, secrets, repo, set()):
            labels = app["metadata"]["labels"]
            layer, cluster = labels["platform-kit.io/layer"], labels["platform-kit.io/cluster-name"]
            assert layer not in generated.get(cluster, set()), f"{cluster} gets {layer} twice"
            generated.setdefault(cluster, set()).add(layer)
    assert generated == {config.cluster.name: layers_of(config) for config in spokes}
    assert len(appsets) == 10  # constant


def test_one_spoke_removed_loses_only_its_applications(hub_files, appsets, tmp_path):
    spokes = [spoke(i) for i in range(16)]
    repo = write_tree(tmp_path, {**hub_files, **seed_union(spokes)})
    secrets = [spoke_secret(config) for config in spokes]

    def names(clusters):
        return {
            app["metadata"]["name"]
            for appset in appsets
            for app in expand_application_set(appset, clusters, repo, set())
        }

    everything, without = names(secrets), names(secrets[:5] + secrets[6:])
    assert everything - without == {f"spoke-005-{layer}" for layer in layers_of(spokes[5])}
    assert without <= everything
