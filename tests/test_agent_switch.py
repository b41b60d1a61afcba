"""Switching `gitops.agent` changes only the agent; the local-argocd stack validates, renders and seeds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pulumi
import pytest
from click.testing import CliRunner
from factories import make_config
from pulumi.runtime.sync_await import _sync_await

from platform_kit.cli import main
from platform_kit.config import PlatformMetadata, load_stack_file
from platform_kit.offline.engine import Registration, run_program
from platform_kit.platform import Platform, PlatformArgs
from platform_kit.publish import GitAuth
from platform_kit.repo import render_config_repo
from platform_kit.repo.argocd.root import root_patches
from platform_kit.validation.manifests import validate_tree

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_COMMIT = "pulumi-python:dynamic/platform-kit:SeedCommit"
AGENT_TYPES = ("platform-kit:gitops:FluxAgent", "platform-kit:gitops:ArgoCdAgent")
SHARED_GITOPS = {"readyTimeoutSeconds": 900, "syncInterval": "2m", "webhook": {"provider": "gitlab"}}


SWITCHED = {
    "cluster": {"region": "eu-west-1", "kubeconfig": {"context": "kind-dev"}},
    "gitops": SHARED_GITOPS,
    "repo": {"branch": "live", "credentials": {"kind": "token", "tokenEnv": "T"}},
}
"""Overrides of the config both agents get: every shared setting away from its default."""


def run_platform(agent: str) -> tuple[list[Registration], dict]:
    built = {}

    def program():
        built["platform"] = Platform(
            "dev", PlatformArgs(config=make_config(SWITCHED, agent=agent), auth=GitAuth("git", "tok-77"))
        )

    registrations = run_program(program, project="p", stack="dev")
    metadata = _sync_await(pulumi.Output.from_input(built["platform"].metadata_variables).future())
    return registrations, metadata


def outside_agent(registrations: list[Registration]) -> dict[tuple[str, str], Registration]:
    """Every registration that is neither an agent component nor inside one."""
    return {(r.type, r.name): r for r in registrations if not any(agent in r.urn for agent in AGENT_TYPES)}


@pytest.fixture(scope="module")
def both():
    return {agent: run_platform(agent) for agent in ("flux", "argocd")}


def test_flipping_the_agent_leaves_every_other_resource_identical(both):
    flux, argocd = outside_agent(both["flux"][0]), outside_agent(both["argocd"][0])
    assert set(flux) == set(argocd)
    assert {kind for kind, _ in flux} >= {"pulumi:providers:kubernetes", SEED_COMMIT, "platform-kit:platform:Platform"}
    for key, registration in flux.items():
        other = argocd[key]
        assert registration.parent == other.parent, key
        assert registration.provider == other.provider, key
        if key[0] == SEED_COMMIT:
            continue
        assert registration.raw_inputs.keys() == other.raw_inputs.keys(), key
        assert registration.inputs == other.inputs, key
        assert registration.masked_inputs == other.masked_inputs, key


def test_the_seed_differs_only_in_its_files_and_only_per_environment(both):
    flux = outside_agent(both["flux"][0])[(SEED_COMMIT, "dev-seed-commit")]
    argocd = outside_agent(both["argocd"][0])[(SEED_COMMIT, "dev-seed-commit")]
    for key in ("url", "branch", "message", "auth"):
        assert flux.inputs[key] == argocd.inputs[key], key
    assert flux.is_secret("auth") and argocd.is_secret("auth")
    assert flux.inputs["branch"] == "live"
    flux_files, argocd_files = flux.inputs["files"], argocd.inputs["files"]
    shared = {path for path in set(flux_files) & set(argocd_files) if not path.startswith("clusters/dev/")}
    assert {"README.md", "infrastructure/configs/platform-system.yaml", "apps/dev/kustomization.yaml"} <= shared
    assert [path for path in shared if flux_files[path] != argocd_files[path]] == []
    assert {path for path in set(flux_files) ^ set(argocd_files) if not path.startswith("clusters/dev/")} == {
        "projects/README.md",
        "projects/kustomization.yaml",
    }
    assert flux_files["clusters/dev/kustomization.yaml"] != argocd_files["clusters/dev/kustomization.yaml"]


def test_the_metadata_contract_is_identical_and_each_agent_carries_all_of_it(both):
    (flux_regs, flux_metadata), (argocd_regs, argocd_metadata) = both["flux"], both["argocd"]
    assert flux_metadata == argocd_metadata
    assert flux_metadata["PLATFORM_REGION"] == "eu-west-1"
    configmap = next(r for r in flux_regs if r.name == "dev-flux-metadata")
    cluster_secret = next(r for r in argocd_regs if r.name == "dev-argocd-metadata")
    assert configmap.inputs["data"] == flux_metadata
    annotations = cluster_secret.inputs["metadata"]["annotations"]
    assert sorted(annotations.values()) == sorted(flux_metadata.values())


def test_both_agents_expose_the_same_handles(both):
    for agent in ("flux", "argocd"):
        registrations = both[agent][0]
        assert any(r.type == "random:index/randomPassword:RandomPassword" for r in registrations), agent
        roots = [r for r in registrations if r.name == f"dev-{agent}-root-sync"]
        assert len(roots) == 1 and roots[0].inputs["metadata"]["annotations"]["pulumi.com/waitFor"]


def test_the_argocd_root_carries_the_contract_into_the_layer_applications(both):
    registrations, metadata = both["argocd"]
    root = next(r for r in registrations if r.name == "dev-argocd-root-sync")
    patches = root.inputs["spec"]["source"]["kustomize"]["patches"]
    assert patches == root_patches(make_config(SWITCHED, agent="argocd"), PlatformMetadata.from_variables(metadata))
    assert all(patch["target"]["kind"] == "Application" for patch in patches)
    assert "targetRevision: live" in patches[0]["patch"] and "${PLATFORM_" not in str(patches)


# --- the local-argocd stack through the CLI -------------------------------------------------


def invoke(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_local_argocd_stack_validates_and_renders(tmp_path):
    validated = invoke("validate", "--stack", "local-argocd", "--project", REPO_ROOT)
    assert validated.exit_code == 0, validated.output
    assert "agent argocd" in validated.output and "environment local-argocd" in validated.output
    config = load_stack_file(REPO_ROOT, "local-argocd")
    assert config.repo.url != load_stack_file(REPO_ROOT, "local").repo.url
    out = tmp_path / "out"
    rendered = invoke("render", "--stack", "local-argocd", "--out", out, "--project", REPO_ROOT)
    assert rendered.exit_code == 0, rendered.output
    assert "kubernetes:argoproj.io/v1alpha1:Application" in rendered.output
    assert (out / "config-repo" / "clusters/local-argocd/argocd.yaml").is_file()
    assert validate_tree(out / "config-repo") == []


def test_local_argocd_stack_seeds_a_real_git_server_once(git_daemon, tmp_path):
    bare = git_daemon.create_repo("argocd-config")
    url = git_daemon.url("argocd-config")
    expected = {m.path: m.content for m in render_config_repo(load_stack_file(REPO_ROOT, "local-argocd"))}

    first = invoke("seed", "--stack", "local-argocd", "--repo", url, "--project", REPO_ROOT)
    assert first.exit_code == 0, first.output
    assert f"seeded {len(expected)} files in one commit" in first.output
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", url, str(clone)], check=True, capture_output=True)
    cloned = {
        p.relative_to(clone).as_posix(): p.read_text()
        for p in clone.rglob("*")
        if p.is_file() and ".git" not in p.parts and ".platform-kit" not in p.parts  # seed record: issue #6
    }
    assert cloned == expected
    assert validate_tree(clone) == []
    log = subprocess.run(["git", "--git-dir", str(bare), "log", "--oneline", "main"], capture_output=True, text=True)
    assert len(log.stdout.splitlines()) == 1

    second = invoke("seed", "--stack", "local-argocd", "--repo", url, "--project", REPO_ROOT)
    assert second.exit_code == 0 and "nothing to seed" in second.output
