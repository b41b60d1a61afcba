"""`platform.repo.github`: defaults, the agent's SSH URL, and every mistake reported by field path."""

from __future__ import annotations

from factories import config_problems, config_values, make_config

from platform_kit.config import parse_platform_config
from platform_kit.config.github import GITHUB_KNOWN_HOSTS, github_coordinates

TOKEN = {"kind": "token", "username": "x-access-token", "tokenEnv": "GITHUB_TOKEN"}


GITHUB = {"cluster.name": "dev", "repo": {"url": "https://github.com/acme/platform-config.git", "credentials": TOKEN}}
"""Overrides of these tests: a GitHub repository and a token (each test sets `repo.github`)."""


def test_defaults_and_the_agents_ssh_url():
    repo = make_config(GITHUB, {"repo.github": {"repository": "adopt"}}).repo

    assert repo.github is not None and repo.github.repository == "adopt"
    assert repo.cluster_url == "ssh://git@github.com/acme/platform-config.git"  # the deploy key works over SSH
    assert repo.github.known_hosts == GITHUB_KNOWN_HOSTS and GITHUB_KNOWN_HOSTS.startswith("github.com ssh-ed25519 ")
    assert repo.github.deploy_key.rotation == "1" and repo.github.branch_protection is None
    assert repo.github.webhook and repo.github.pull_requests and repo.github.visibility == "private"
    assert make_config(GITHUB).repo.cluster_url == "https://github.com/acme/platform-config.git"


def test_enterprise_hosts_and_explicit_agent_urls():
    values = config_values(
        GITHUB,
        {
            "repo.url": "https://git.corp.example/platform/config",
            "repo.agentUrl": "ssh://git@git.corp.example:2222/platform/config",
            "repo.github": {
                "repository": "create",
                "apiUrl": "https://git.corp.example/api/v3/",
                "knownHosts": "[git.corp.example]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample",
            },
        },
    )
    repo = parse_platform_config(values).repo
    assert repo.cluster_url == "ssh://git@git.corp.example:2222/platform/config"
    assert repo.github is not None and repo.github.api_url == "https://git.corp.example/api/v3"
    assert github_coordinates(repo.url) == ("git.corp.example", "platform", "config")


def test_mistakes_are_reported_by_field_path():
    assert config_problems(
        config_values(GITHUB, {"repo.credentials": {"kind": "none"}, "repo.github": {"repository": "create"}})
    ) == {
        "platform.repo.github": "needs `credentials.kind: token` (the token pushes the seed and calls the GitHub API)"
    }
    assert (
        "must be an ssh:// URL"
        in config_problems(
            config_values(
                GITHUB,
                {
                    "repo.agentUrl": "https://github.com/acme/platform-config.git",
                    "repo.github": {"repository": "adopt"},
                },
            )
        )["platform.repo.github"]
    )
    assert (
        "https://<host>/<owner>/<name>.git"
        in config_problems(
            config_values(GITHUB, {"repo.url": "https://github.com/acme", "repo.github": {"repository": "adopt"}})
        )["platform.repo.github"]
    )
    found = config_problems(
        config_values(
            GITHUB,
            {
                "repo.github": {
                    "repository": "import",
                    "deployKey": {"rotation": "2026 03"},
                    "branchProtection": {"requiredApprovals": 0},
                    "apiUrl": "ftp://api.example",
                    "webhooks": True,
                }
            },
        )
    )
    assert set(found) == {
        "platform.repo.github.repository",
        "platform.repo.github.deployKey.rotation",
        "platform.repo.github.branchProtection.requiredApprovals",
        "platform.repo.github.apiUrl",
        "platform.repo.github.webhooks",
    }
    assert set(config_problems(config_values(GITHUB, {"repo.github": {"visibility": "secret"}}))) == {
        "platform.repo.github.repository",  # required: create or adopt is a decision, not a default
        "platform.repo.github.visibility",
    }
