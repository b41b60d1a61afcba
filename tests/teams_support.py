"""Stack configs with teams, shared by the team tests."""

from __future__ import annotations

import copy
from pathlib import Path

from stack_support import EKS

from platform_kit.config import parse_platform_config
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


def values(agent="flux", cluster=EKS, secrets=None, teams=(PAYMENTS,), workload_identity=None, **gitops):
    cluster = copy.deepcopy(cluster)
    if workload_identity:
        cluster["workloadIdentity"] = workload_identity
    services = {"observability": {"notifications": NOTIFICATIONS}, "policy": {}}
    if secrets is not None:
        services["secrets"] = secrets
    return {
        "environment": "dev",
        "cluster": cluster,
        "gitops": {"agent": agent, **gitops},
        "repo": {"url": "https://git.example.com/acme/platform-config.git"},
        "services": services,
        "teams": copy.deepcopy(list(teams)),
    }


def config_for(*args, **kwargs):
    return parse_platform_config(values(*args, **kwargs))


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
