"""GitHub hosting by recorded registrations: repo, read-only deploy key, rotation, protection, webhook, secrecy.

Nothing here talks to GitHub: the resources are recorded by the mock engine, and plan.json is
scanned for every secret value (token, private key, webhook secret).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pulumi
import pulumi_github as github
import pytest
import yaml
from stack_support import project_skeleton

from platform_kit.config.github import GITHUB_KNOWN_HOSTS, GitHubConfig
from platform_kit.gitops.github import GitHubRepo, GitHubRepoArgs
from platform_kit.gitops.seed import SEED_COMMIT_TYPE
from platform_kit.offline import engine, fakes
from platform_kit.offline.engine import SECRET_MARKER, TLS_PRIVATE_KEY_TYPE, fake_password
from platform_kit.offline.preview import plan_document, run_stack

REPO_ROOT = Path(__file__).resolve().parent.parent
REPOSITORY = "github:index/repository:Repository"
DEPLOY_KEY = "github:index/repositoryDeployKey:RepositoryDeployKey"
PROTECTION = "github:index/branchProtection:BranchProtection"
WEBHOOK = "github:index/repositoryWebhook:RepositoryWebhook"
PROVIDER = "pulumi:providers:github"
SECRET = "kubernetes:core/v1:Secret"
GIT_REPOSITORY = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository"
TOKEN = "ghp_DISTINCTIVE_stack_token_5c1f9e"


def build_repo(rotation: str = "1", repository: str = "create") -> GitHubRepo:
    provider = github.Provider("gh-provider", owner="acme", token=pulumi.Output.secret("t"))
    config = GitHubConfig(repository=repository, deploy_key={"rotation": rotation})
    return GitHubRepo(
        "gh",
        GitHubRepoArgs(config=config, owner="acme", name="platform-config", environment="dev"),
        opts=pulumi.ResourceOptions(providers=[provider]),
    )


def test_created_repo_and_a_read_only_ed25519_deploy_key_whose_private_half_is_secret(pulumi_recorder):
    repo = build_repo()

    created = pulumi_recorder.get(REPOSITORY, "gh-repository")
    assert created.inputs.items() >= {"name": "platform-config", "visibility": "private", "autoInit": False}.items()
    assert created.options["retainOnDelete"] is True  # shared by every environment: a destroy never deletes it
    key = pulumi_recorder.get(TLS_PRIVATE_KEY_TYPE, "gh-agent-key")
    assert key.inputs == {"algorithm": "ED25519"}
    registered = pulumi_recorder.get(DEPLOY_KEY, "gh-deploy-key")
    assert registered.inputs == {
        "readOnly": True,
        "repository": "platform-config",
        "title": "platform-kit dev agent (read-only, generation 1)",
        "key": fakes.private_key_outputs("gh-agent-key")["publicKeyOpenssh"],
    }
    assert {created.urn, key.urn} <= set(registered.dependencies)
    private, secret = pulumi_recorder.resolve(repo.agent_auth.ssh_private_key)
    assert secret and private == fakes.private_key_outputs("gh-agent-key")["privateKeyOpenssh"]
    assert repo.agent_auth.known_hosts == GITHUB_KNOWN_HOSTS and repo.agent_auth.token is None
    provider = pulumi_recorder.get(PROVIDER, "gh-provider")
    assert all(r.provider and r.provider.startswith(provider.urn) for r in (created, registered))


def test_an_adopted_repo_is_not_managed_but_still_gets_the_deploy_key(pulumi_recorder):
    build_repo(repository="adopt")

    assert pulumi_recorder.find(REPOSITORY) == []
    registered = pulumi_recorder.get(DEPLOY_KEY, "gh-deploy-key")
    assert registered.inputs["repository"] == "platform-config" and registered.inputs["readOnly"] is True


def test_rotation_replaces_the_key_create_before_delete_and_hands_it_over_only_once_registered():
    def options(rotation: str) -> dict[str, engine.Registration]:
        regs = engine.run_program(lambda: build_repo(rotation), project="p", stack="s")
        return {r.name: r for r in regs}

    first, rotated = options("1"), options("2026-03")

    # Same logical resources (same URNs): a changed trigger/title replaces them in place, it is not a rename.
    assert first["gh-agent-key"].urn == rotated["gh-agent-key"].urn
    assert (
        first["gh-agent-key"].options["replacementTrigger"],
        rotated["gh-agent-key"].options["replacementTrigger"],
    ) == (
        "1",
        "2026-03",
    )
    assert rotated["gh-deploy-key"].inputs["title"] == "platform-kit dev agent (read-only, generation 2026-03)"
    for name in ("gh-agent-key", "gh-deploy-key"):
        assert rotated[name].options["deleteBeforeReplace"] is False  # new one first, old one deleted last
    assert rotated["gh-deploy-key"].options["replaceOnChanges"] == ["key", "title"]
    assert "privateKeyOpenssh" in rotated["gh-agent-key"].options["additionalSecretOutputs"]


def project_with(tmp_path: Path, gitops: dict, github_settings: dict) -> Path:
    project = project_skeleton(tmp_path / "project")
    config = {
        "platform:environment": "dev",
        "platform:cluster": {"kind": "existing", "name": "dev", "kubeconfig": {"path": "~/.kube/config"}},
        "platform:gitops": gitops,
        "platform:repo": {
            "url": "https://github.com/acme/platform-config.git",
            "credentials": {"kind": "token", "username": "x-access-token", "tokenEnv": "PK_TEST_GITHUB_TOKEN"},
            "github": github_settings,
        },
    }
    (project / "stacks" / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))
    return project


@pytest.fixture
def flux_on_github(tmp_path, monkeypatch):
    """The real stack program for a Flux stack on GitHub (created repo, protection, webhook), token from env."""
    monkeypatch.setenv("PK_TEST_GITHUB_TOKEN", TOKEN)
    project = project_with(
        tmp_path,
        {"agent": "flux", "webhook": {"publicUrl": "https://flux.example.com"}},
        {"repository": "create", "branchProtection": {"requiredApprovals": 2}},
    )
    run = run_stack(project, "dev")
    return run, {r.name: r for r in run.registrations}


def test_the_agent_clones_over_ssh_with_the_deploy_key_never_the_token(flux_on_github):
    _, by_name = flux_on_github

    credentials = by_name["dev-flux-git-credentials"]
    assert credentials.masked_inputs["stringData"] == SECRET_MARKER
    assert credentials.inputs["stringData"] == {
        "identity": fakes.private_key_outputs("dev-github-agent-key")["privateKeyOpenssh"],
        "known_hosts": GITHUB_KNOWN_HOSTS,
    }
    assert by_name["dev-github-deploy-key"].urn in credentials.dependencies  # registered before handed over
    source = [r for r in by_name.values() if r.type == GIT_REPOSITORY][0]
    assert source.inputs["spec"]["url"] == "ssh://git@github.com/acme/platform-config.git"


def test_seed_protection_and_webhook_are_ordered_and_wired_to_the_agent(flux_on_github):
    _, by_name = flux_on_github
    seed, repository = by_name["dev-seed-commit"], by_name["dev-github-repository"]
    protection, hook = by_name["dev-github-handover-protection"], by_name["dev-github-handover-webhook"]

    assert repository.urn in seed.dependencies  # the repository exists before the seed pushes
    assert seed.inputs["pullRequests"] == {
        "owner": "acme",
        "repo": "platform-config",
        "apiUrl": "https://api.github.com",
    }
    assert seed.urn in protection.dependencies  # protection would block the seed's own push
    assert protection.inputs["pattern"] == "main" and protection.inputs["enforceAdmins"] is False
    assert protection.inputs["requiredPullRequestReviews"][0]["requiredApprovingReviewCount"] == 2
    assert hook.masked_inputs["configuration"] == SECRET_MARKER
    configuration = hook.inputs["configuration"]
    secret = fake_password("dev-flux-webhook-secret", 40)
    assert configuration["secret"] == secret and configuration["contentType"] == "json"
    assert configuration["url"].startswith("https://flux.example.com/hook/")
    assert hook.inputs["events"] == ["push"] and hook.inputs["repository"] == "platform-config"


def test_plan_json_holds_no_token_private_key_or_webhook_secret(flux_on_github):
    run, by_name = flux_on_github
    text = json.dumps(plan_document(run), sort_keys=True)

    assert by_name["dev-github-provider"].masked_inputs["token"] == SECRET_MARKER
    assert by_name["dev-github-provider"].inputs["token"] == TOKEN  # it is there, only ever as a secret
    assert by_name["dev-seed-commit"].masked_inputs["auth"] == SECRET_MARKER
    private_key_body = fakes.private_key_outputs("dev-github-agent-key")["privateKeyOpenssh"].splitlines()[1]
    for leak in (TOKEN, private_key_body, fake_password("dev-flux-webhook-secret", 40)):
        assert leak not in text
    assert text.count(SECRET_MARKER) >= 5


def test_argocd_gets_the_deploy_key_and_its_webhook_endpoint(tmp_path, monkeypatch):
    monkeypatch.setenv("PK_TEST_GITHUB_TOKEN", TOKEN)
    project = project_with(
        tmp_path,
        {"agent": "argocd", "webhook": {"publicUrl": "https://argocd.example.com"}},
        {"repository": "adopt", "webhook": True},
    )
    run = run_stack(project, "dev")
    by_type: dict[str, list[engine.Registration]] = {}
    for registration in run.registrations:
        by_type.setdefault(registration.type, []).append(registration)

    assert REPOSITORY not in by_type and PROTECTION not in by_type
    (hook,) = by_type[WEBHOOK]
    assert hook.inputs["configuration"]["url"] == "https://argocd.example.com/api/webhook"
    repository_secrets = [s for s in by_type[SECRET] if "sshPrivateKey" in json.dumps(s.inputs)]
    (repo_secret,) = repository_secrets
    data = repo_secret.inputs["stringData"]
    assert data["url"] == "ssh://git@github.com/acme/platform-config.git" and "password" not in data
    assert TOKEN not in json.dumps(plan_document(run))
    assert SEED_COMMIT_TYPE in by_type


def test_without_github_nothing_github_is_registered_or_even_imported():
    script = (
        "import sys\n"
        "from platform_kit.offline.preview import run_stack\n"
        f"run = run_stack({str(REPO_ROOT)!r}, 'local')\n"
        "kinds = ('github:', 'tls:', 'pulumi:providers:github')\n"
        "assert not [r for r in run.registrations if r.type.startswith(kinds)]\n"
        "print(sorted(m for m in ('pulumi_github', 'pulumi_tls') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
