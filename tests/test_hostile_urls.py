"""Hostile URLs (issue 13): secrets in URLs are refused without being echoed; scp-style remotes are SSH.

A token in a URL (as the user name, as a password, in the query string or fragment) would be
copied into the GitRepository, the metadata ConfigMap and the seed of plan.json and reach the
cluster; every URL field of the config refuses it by field path and never repeats it.
`git@host:org/repo.git` is an SSH remote (Git's rule), never a local directory of that name.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from factories import config_values, make_config
from stack_support import project_skeleton

from platform_kit.cli import main
from platform_kit.config import ConfigError, parse_platform_config
from platform_kit.config.base import url_scheme
from platform_kit.publish import GitAuth, redact_url, seed_files
from platform_kit.publish.transport import parse_remote
from platform_kit.testing.git_server import HUMAN_GIT_ENV

SECRET = "ghp_S3CRETdistinctive0123456789abcdefABCD"
"""Looks like a GitHub classic token; must appear in no message, file or output."""
KNOWN_HOSTS = "git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
SSH_CREDENTIALS = {"kind": "ssh", "privateKeyEnv": "PK_KEY", "knownHosts": KNOWN_HOSTS}
VERSIONS = {"environment": "dev", "library_version": "0.1.0", "template_version": "1"}

HOSTILE_HTTP = {
    "token as user name": f"https://{SECRET}@git.example.com/acme/config.git",
    "token as password": f"https://x-access-token:{SECRET}@git.example.com/acme/config.git",
    "plain user name": "https://bot@git.example.com/acme/config.git",
    "token in the query": f"https://git.example.com/acme/config.git?access_token={SECRET}",
    "token in the fragment": f"https://git.example.com/acme/config.git#{SECRET}",
    "empty query": "https://git.example.com/acme/config.git?",
    "newline": f"https://git.example.com/acme/config.git\n{SECRET}",
    "bad port": f"https://git.example.com:{SECRET}/acme/config.git",
}


NO_CREDENTIALS = {"repo.credentials": {"kind": "none"}}
"""The override of tests that keep the base config repo."""


def problems(document: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_platform_config(document)
    text = str(caught.value)
    assert SECRET not in text and SECRET[4:20] not in text
    return [str(problem) for problem in caught.value.problems]


# --- every URL field refuses credentials, query and fragment, by path, without echoing ------------------


@pytest.mark.parametrize("url", HOSTILE_HTTP.values(), ids=HOSTILE_HTTP.keys())
def test_repo_url_refuses_credential_parts_without_echoing_them(url):
    (problem,) = problems(config_values(repo={"url": url, "credentials": {"kind": "none"}}))
    assert problem.startswith("platform.repo.url: ")


@pytest.mark.parametrize("url", HOSTILE_HTTP.values(), ids=HOSTILE_HTTP.keys())
def test_agent_url_refuses_credential_parts(url):
    repo = {"url": ".gitops/x.git", "agentUrl": url, "credentials": {"kind": "none"}}
    (problem,) = problems(config_values(repo=repo))
    assert problem.startswith("platform.repo.agentUrl: ")


def test_userinfo_in_https_points_at_credentials():
    (problem,) = problems(
        config_values(repo={"url": HOSTILE_HTTP["token as user name"], "credentials": {"kind": "none"}})
    )
    assert "`credentials`" in problem


@pytest.mark.parametrize(
    ("gitops", "path"),
    [
        (
            {"agent": "argocd", "platformSourceRepos": [f"https://u:{SECRET}@charts.example.com"]},
            "platformSourceRepos[0]",
        ),
        (
            {
                "agent": "argocd",
                "platformSourceRepos": ["https://ok.example.com/r", f"https://{SECRET}@h.example.com/r"],
            },
            "platformSourceRepos[1]",
        ),
        ({"agent": "argocd", "url": f"https://argocd.example.com/?t={SECRET}"}, "url"),
        ({"agent": "argocd", "chartRepository": f"https://{SECRET}@charts.example.com"}, "chartRepository"),
        (
            {
                "agent": "argocd",
                "url": "https://argocd.example.com",
                "sso": {"issuer": f"https://id.example.com#{SECRET}", "clientId": "a", "clientSecretEnv": "S"},
            },
            "sso.issuer",
        ),
        ({"agent": "flux", "webhook": {"publicUrl": f"https://hooks.example.com?token={SECRET}"}}, "webhook.publicUrl"),
        ({"agent": "argocd", "webhook": {"publicUrl": f"https://{SECRET}:x@hooks.example.com"}}, "webhook.publicUrl"),
    ],
)
def test_gitops_url_fields_refuse_credential_parts(gitops, path):
    (problem,) = problems(config_values(NO_CREDENTIALS, gitops=gitops))
    assert problem.startswith(f"platform.gitops.{path}: "), problem


@pytest.mark.parametrize(
    "repo",
    [
        f"https://{SECRET}@git.example.com/t/app.git",
        f"https://git.example.com/t/app.git?private_token={SECRET}",
        f"ssh://git:{SECRET}@git.example.com/t/app.git",
        f"ftp://u:{SECRET}@git.example.com/t/app.git",
    ],
)
def test_team_source_repos_refuse_credential_parts(repo):
    team = {"name": "payments", "owners": ["g"], "sourceRepos": ["https://git.example.com/t/ok.git", repo]}
    (problem,) = problems(config_values(NO_CREDENTIALS, teams=[team]))
    assert problem.startswith("platform.teams[0].sourceRepos[1]: "), problem


def test_github_api_url_refuses_credential_parts():
    repo = {
        "url": "https://github.com/acme/config.git",
        "credentials": {"kind": "token", "tokenEnv": "T"},
        "github": {"repository": "adopt", "apiUrl": f"https://ghe.example.com/api/v3?access_token={SECRET}"},
    }
    (problem,) = problems(config_values(repo=repo))
    assert problem.startswith("platform.repo.github.apiUrl: "), problem


def test_unsupported_scheme_is_named_but_the_url_is_not_echoed():
    (problem,) = problems(
        config_values(repo={"url": f"ftp://u:{SECRET}@h.example.com/r.git", "credentials": {"kind": "none"}})
    )
    assert "ftp" in problem


# --- SSH: user names are fine, passwords and token-like user names are not -------------------------------


def test_ssh_user_names_are_allowed():
    for url in (
        "ssh://git@git.example.com/acme/config.git",
        "ssh://APKAEIBAERJR2EXAMPLE@git-codecommit.example.com/v1/r",
    ):
        config = make_config(repo={"url": url, "credentials": SSH_CREDENTIALS})
        assert config.repo.url == url


@pytest.mark.parametrize(
    "url",
    [
        f"ssh://git:{SECRET}@git.example.com/acme/config.git",
        f"ssh://{SECRET}@git.example.com/acme/config.git",
        f"{SECRET}@git.example.com:acme/config.git",
        "ssh://glpat-abcdefghij0123456789@gitlab.example.com/a/b.git",
    ],
)
def test_ssh_passwords_and_token_like_user_names_are_refused(url):
    (problem,) = problems(config_values(repo={"url": url, "credentials": SSH_CREDENTIALS}))
    assert problem.startswith("platform.repo.url: ")


# --- scp-style remotes are SSH ----------------------------------------------------------------------------


def test_scp_style_is_ssh_and_becomes_an_ssh_url():
    config = make_config(repo={"url": "git@github.com:acme/config.git", "credentials": SSH_CREDENTIALS})
    assert config.repo.url == "ssh://git@github.com/acme/config.git"
    assert config.repo.cluster_url == "ssh://git@github.com/acme/config.git"  # Flux only clones ssh:// URLs
    absolute = parse_platform_config(
        config_values(repo={"url": "me@host.example.com:/srv/git/c.git", "credentials": SSH_CREDENTIALS})
    )
    assert absolute.repo.url == "ssh://me@host.example.com/srv/git/c.git"
    home = make_config(repo={"url": "host.example.com:~/c.git", "credentials": SSH_CREDENTIALS})
    assert home.repo.url == "ssh://host.example.com/~/c.git"


@pytest.mark.parametrize("kind", [{"kind": "none"}, {"kind": "token", "tokenEnv": "T"}])
def test_scp_style_needs_ssh_credentials(kind):
    (problem,) = problems(config_values(repo={"url": "git@github.com:acme/config.git", "credentials": kind}))
    assert problem.startswith("platform.repo.credentials: ") and "SSH" in problem, problem


def test_ssh_agent_url_needs_ssh_credentials_without_github():
    repo = {"url": ".gitops/x.git", "agentUrl": "git@git.example.com:acme/config.git", "credentials": {"kind": "none"}}
    (problem,) = problems(config_values(repo=repo))
    assert "agentUrl" in problem and "SSH" in problem


def test_scp_style_agent_url_and_source_repos_become_ssh_urls():
    repo = {
        "url": "https://git.example.com/acme/config.git",
        "agentUrl": "git@git.example.com:acme/config.git",
        "credentials": SSH_CREDENTIALS,
    }
    team = {"name": "payments", "owners": ["g"], "sourceRepos": ["git@git.example.com:payments/app.git"]}
    gitops = {"agent": "argocd", "platformSourceRepos": ["git@git.example.com:acme/extra.git"]}
    config = make_config(repo=repo, gitops=gitops, teams=[team])
    assert config.repo.cluster_url == "ssh://git@git.example.com/acme/config.git"
    assert config.teams[0].source_repos == ("ssh://git@git.example.com/payments/app.git",)
    assert config.gitops.platform_source_repos == ("ssh://git@git.example.com/acme/extra.git",)


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("git@github.com:acme/config.git", "ssh"),
        ("github.com:acme/config.git", "ssh"),
        (".gitops/platform-config.git", "file"),
        ("./dir:with-colon/x.git", "file"),
        ("/srv/git/x.git", "file"),
        ("C:/repos/x.git", "file"),
        ("file:///srv/git/x.git", "file"),
        ("https://h/x.git", "https"),
    ],
)
def test_url_scheme_follows_gits_rule(url, scheme):
    assert url_scheme(url) == scheme


def test_local_paths_stay_paths_and_host_like_bare_names_are_refused():
    for url in (
        ".gitops/platform-config.git",
        "./repos/x.git",
        "../x.git",
        "~/x.git",
        "/srv/x.git",
        "file:///srv/x.git",
        "platform-config.git",
        "./github.com/acme/x.git",
    ):
        assert make_config(repo={"url": url, "agentUrl": "https://h.example.com/x.git"})
    for url in ("github.com/acme/config.git", "git@github.com/acme/config.git"):
        (problem,) = problems(config_values(repo={"url": url, "agentUrl": "https://h.example.com/x.git"}))
        assert problem.startswith("platform.repo.url: ") and "./" in problem


# --- the publisher parses scp-style remotes by Git's rule and never echoes a query --------------------------


def test_parse_remote_scp_style_is_ssh_not_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "git@host:org").mkdir()  # even when a directory of that name exists, Git reads it as SSH
    remote = parse_remote("git@host:org/repo.git", GitAuth(ssh_private_key="KEY", known_hosts="host k"))
    assert (remote.kind, remote.url, remote.auth.username) == ("ssh", "ssh://host/org/repo.git", "git")
    assert remote.path == "/org/repo.git" and remote.display == "ssh://***@host/org/repo.git"
    assert parse_remote("C:/repos/x.git", None).kind == "local"
    assert parse_remote("./a:b/x.git", None).kind == "local"


@pytest.mark.parametrize(
    "url", [f"https://h.example.com/r.git?access_token={SECRET}", f"https://h.example.com/r.git#{SECRET}"]
)
def test_parse_remote_refuses_query_and_fragment_without_echoing(url):
    with pytest.raises(ValueError) as caught:
        parse_remote(url, None)
    assert SECRET not in str(caught.value)


def test_redact_url_masks_query_and_fragment():
    text = f"see https://u:{SECRET}@h/r.git?access_token={SECRET}#{SECRET} and ssh://git@h/x"
    assert SECRET not in redact_url(text)
    assert redact_url("https://h/r.git?a=b") == "https://h/r.git?***"


# --- real servers -----------------------------------------------------------------------------------------


def test_scp_style_seed_reaches_the_ssh_server(git_ssh_server, tmp_path, monkeypatch):
    """`user@127.0.0.1:/abs/repo.git` (no port in scp syntax: an `ssh` wrapper adds the server's)."""
    bare = git_ssh_server.create_repo("scp")
    wrapper = tmp_path / "bin" / "ssh"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec /usr/bin/ssh -p {git_ssh_server.port} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    auth = GitAuth(ssh_private_key=git_ssh_server.client_key, known_hosts=git_ssh_server.known_hosts)
    url = f"{git_ssh_server.user}@127.0.0.1:{bare}"

    result = seed_files(url, {"clusters/dev/a.yaml": "a: 1\n"}, auth=auth, **VERSIONS)

    assert result.plan.create == ("clusters/dev/a.yaml",)
    shown = subprocess.run(
        ["git", "--git-dir", str(bare), "show", "main:clusters/dev/a.yaml"],
        env=HUMAN_GIT_ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout == "a: 1\n"
    assert not any(p.name.startswith(git_ssh_server.user + "@") for p in tmp_path.iterdir())  # no local directory


# --- the CLI: exit 2, no traceback, no secret; render scans -------------------------------------------------


def stack_document(repo: dict[str, Any], gitops: dict[str, Any] | None = None, **extra: Any) -> dict:
    config = {f"platform:{key}": value for key, value in config_values(repo=repo, gitops=gitops or {}, **extra).items()}
    return {"config": config}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return project_skeleton(tmp_path / "project")


def write_stack(project: Path, stack: str, document: dict) -> None:
    (project / "stacks" / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))


def invoke(*args: Any, env: dict[str, str] | None = None):
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


HOSTILE_STACK = {
    "repo": {
        "url": f"https://git.example.com/acme/config.git?access_token={SECRET}",
        "agentUrl": f"https://{SECRET}@git.example.com/acme/config.git",
        "credentials": {"kind": "none"},
    },
    "gitops": {
        "agent": "argocd",
        "url": f"https://argocd.example.com#{SECRET}",
        "platformSourceRepos": [f"https://u:{SECRET}@charts.example.com"],
        "webhook": {"publicUrl": f"https://hooks.example.com?k={SECRET}"},
    },
    "teams": [{"name": "payments", "owners": ["g"], "sourceRepos": [f"https://{SECRET}@git.example.com/p.git"]}],
}


@pytest.mark.parametrize("command", ["validate", "render"])
def test_cli_refuses_a_hostile_stack_by_path_without_echoing(project, tmp_path, command):
    write_stack(project, "hostile", stack_document(**HOSTILE_STACK))
    out = ["--out", tmp_path / "out"] if command == "render" else []
    result = invoke(command, "--stack", "hostile", *out, "--project", project)
    assert result.exit_code == 2, result.output
    assert SECRET not in result.output
    for path in (
        "platform.repo.url",
        "platform.repo.agentUrl",
        "platform.gitops.url",
        "platform.gitops.platformSourceRepos[0]",
        "platform.gitops.webhook.publicUrl",
        "platform.teams[0].sourceRepos[0]",
    ):
        assert f"{path}: " in result.output, path
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "url", [f"https://{SECRET}@127.0.0.1:1/x.git", f"http://127.0.0.1:1/x.git?access_token={SECRET}"]
)
def test_seed_repo_override_with_a_secret_exits_2_without_echoing(project, url):
    write_stack(
        project, "dev", stack_document({"url": "https://git.example.com/a/c.git", "credentials": {"kind": "none"}})
    )
    result = invoke("seed", "--stack", "dev", "--repo", url, "--project", project)
    assert result.exit_code == 2, result.output
    assert "platform.repo.url: " in result.output and SECRET not in result.output


def test_seed_to_scp_style_without_ssh_credentials_exits_2_and_creates_nothing(project, tmp_path, monkeypatch):
    """The report: the seed created a directory `git@host:org` and printed `seeded 20 files`."""
    monkeypatch.chdir(tmp_path)
    write_stack(
        project, "dev", stack_document({"url": "git@git.example.com:acme/config.git", "credentials": {"kind": "none"}})
    )
    before = sorted(p.name for p in tmp_path.iterdir())
    result = invoke("seed", "--stack", "dev", "--project", project)
    assert result.exit_code == 2, result.output
    assert "platform.repo.credentials: " in result.output and "seeded" not in result.output
    override = invoke("seed", "--stack", "dev", "--repo", "git@git.example.com:acme/other.git", "--project", project)
    assert override.exit_code == 2 and "seeded" not in override.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not list(project.rglob("git@*"))


def test_render_with_secrets_in_every_secret_input_leaks_none(project, tmp_path):
    """Legitimate secrets (token, SSH key, SSO client secret, notification URL) stay out of every output."""
    token, key, oidc, hook = (
        f"{SECRET}-token",
        f"{SECRET}-key",
        f"{SECRET}-oidc",
        f"https://hooks.example.com/{SECRET}",
    )
    repo = {
        "url": "git@git.example.com:acme/config.git",
        "credentials": {"kind": "ssh", "privateKeyEnv": "PK_KEY", "knownHosts": KNOWN_HOSTS},
    }
    gitops = {
        "agent": "argocd",
        "url": "https://argocd.example.com",
        "sso": {"issuer": "https://id.example.com", "clientId": "argocd", "clientSecretEnv": "PK_OIDC"},
        "webhook": {"publicUrl": "https://hooks.example.com"},
    }
    services = {"observability": {"enabled": True, "notifications": {"kind": "slack", "webhookUrlEnv": "PK_HOOK"}}}
    write_stack(project, "sec", stack_document(repo, gitops, services=services))
    out = tmp_path / "out"
    env = {
        "PK_KEY": f"-----BEGIN OPENSSH PRIVATE KEY-----\n{key}\n-----END OPENSSH PRIVATE KEY-----\n",
        "PK_OIDC": oidc,
        "PK_HOOK": hook,
        "PK_TOKEN": token,
    }

    result = invoke("render", "--stack", "sec", "--out", out, "--project", project, env=env)

    assert result.exit_code == 0, result.output
    plan = (out / "plan.json").read_text()
    assert "ssh://git@git.example.com/acme/config.git" in plan and "git@git.example.com:acme" not in plan
    texts = {"plan.json": plan, "summary.md": (out / "summary.md").read_text(), "output": result.output}
    texts |= {str(p): p.read_text() for p in (out / "config-repo").rglob("*") if p.is_file()}
    for name, text in texts.items():
        assert SECRET not in text, name
    json.loads(plan)
