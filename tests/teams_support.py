"""Teams and the overrides of the team tests (configs come from factories.py), and rendering helpers."""

from __future__ import annotations

from pathlib import Path

from platform_kit.repo import render_config_repo

PAYMENTS = {
    "name": "payments",
    "owners": ["payments-devs", "payments-leads"],
    "namespaces": ["payments", "payments-jobs"],
    "size": "medium",
    "sourceRepos": ["https://github.com/acme/payments-app.git"],
    "channel": "#payments",
}
SEARCH = {"name": "search", "owners": ["search-devs"]}
NOTIFICATIONS = {"channel": "#platform", "webhookUrlEnv": "SLACK_URL"}


TEAMS_CONFIG = {
    "repo": {"url": "https://git.example.com/acme/platform-config.git"},
    "services": {"observability": {"notifications": NOTIFICATIONS}, "policy": {}},
    "teams": [PAYMENTS],
}
"""Overrides of the team tests (with `cluster="eks"`): payments, notifications, policy, a config repo."""


def rendered(config) -> dict[str, str]:
    return {manifest.path: manifest.content for manifest in render_config_repo(config)}


def write_tree(files: dict[str, str], root: Path) -> Path:
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    return root


def many_teams(count: int) -> list[dict]:
    return [{"name": f"team-{index:03d}", "owners": [f"group-{index:03d}"]} for index in range(count)]
