"""The one place tests build a platform config (the `platform:` mapping of a stack, as a dict or validated).

`make_config()` is the minimal valid config of one environment: `dev`, an existing cluster (or
`cluster="eks"`), Flux (or `agent="argocd"`) and a config repo without credentials. Anything else a
test needs is an override, deep-merged into that base:

    make_config(agent="argocd", repo={"branch": "live"})            # nested dicts merge key by key
    make_config({"cluster.kubeconfig": {"content": "..."}})          # a dotted path sets that node
    config_values({"repo.url": DELETE})                              # ... or removes it (invalid input)
    make_config(cluster=EXISTING)                                    # a whole cluster section

Overrides apply in order: the positional mappings, then the keyword ones. A key with a dot sets the
node at that path (a number indexes a list), replacing whatever was there; a key without a dot is
merged: a dict into a dict recursively, anything else (lists included) replaces. `DELETE` as a
value removes the key. Every value is copied, so a shared constant is never mutated.

This is a plain module (conftest.py's `config_factory` fixture hands out the same functions) because
many configs are needed at import time: in `pytest.mark.parametrize` lists and module constants.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Literal

import pytest
from stack_support import EKS

from platform_kit.config import ConfigError, PlatformConfig, PlatformMetadata, parse_platform_config

REPO_URL = "https://git.example.com/acme/config.git"
"""The config repo of the base config (no credentials)."""
EXISTING = {"kind": "existing", "name": "dev-1", "kubeconfig": {"path": "~/.kube/config"}}
"""The cluster section of `cluster="existing"`."""
CLUSTERS: dict[str, dict[str, Any]] = {"existing": EXISTING, "eks": EKS}
"""The cluster section of each preset `cluster=` kind."""


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE: Any = _Delete()
"""An override value that removes its key (for configs that lack a required field)."""


def merged(values: Mapping[str, Any], *changes: Mapping[str, Any], **overrides: Any) -> dict[str, Any]:
    """A deep copy of `values` with `changes`, then `overrides`, applied (rules in the module docstring)."""
    result = copy.deepcopy(dict(values))
    for change in (*changes, overrides):
        for key, value in change.items():
            if "." in key:
                _set_path(result, key.split("."), value)
            else:
                _merge_key(result, key, value)
    return result


def config_values(
    *changes: Mapping[str, Any],
    agent: Literal["flux", "argocd"] = "flux",
    cluster: Literal["existing", "eks"] | Mapping[str, Any] = "existing",
    **overrides: Any,
) -> dict[str, Any]:
    """The raw `platform:` mapping: the base config of `agent` on `cluster`, with the overrides applied."""
    base = {
        "environment": "dev",
        "cluster": CLUSTERS[cluster] if isinstance(cluster, str) else cluster,
        "gitops": {"agent": agent},
        "repo": {"url": REPO_URL},
    }
    return merged(base, *changes, **overrides)


def make_config(
    *changes: Mapping[str, Any],
    agent: Literal["flux", "argocd"] = "flux",
    cluster: Literal["existing", "eks"] | Mapping[str, Any] = "existing",
    **overrides: Any,
) -> PlatformConfig:
    """`config_values(...)` validated: the frozen model every component takes."""
    return parse_platform_config(config_values(*changes, agent=agent, cluster=cluster, **overrides))


def config_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """Field path -> message for every problem of the invalid mapping `values` (fails if it is valid)."""
    with pytest.raises(ConfigError) as caught:
        parse_platform_config(values)
    return {problem.path: problem.message for problem in caught.value.problems}


def make_contract(config: PlatformConfig, **fields: Any) -> PlatformMetadata:
    """The metadata contract of `config`'s environment on an existing cluster `dev-1` (fields override)."""
    return PlatformMetadata(
        environment=config.environment,
        cluster_name="dev-1",
        cluster_kind="existing",
        repo_url=config.repo.cluster_url,
        repo_branch=config.repo.branch,
        repo_path=config.environment_path,
        **fields,
    )


def _merge_key(node: dict[str, Any], key: str, value: Any) -> None:
    if value is DELETE:
        node.pop(key, None)
    elif isinstance(value, Mapping) and isinstance(node.get(key), dict):
        for inner, inner_value in value.items():
            _merge_key(node[key], inner, inner_value)
    else:
        node[key] = copy.deepcopy(value)


def _set_path(node: Any, keys: list[str], value: Any) -> None:
    *parents, last = keys
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    slot: Any = int(last) if isinstance(node, list) else last
    if value is DELETE:
        del node[slot]
    else:
        node[slot] = copy.deepcopy(value)
