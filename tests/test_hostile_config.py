"""Issue 13: config a hostile tester found silently wrong, or whose names broke renders.

Each case is first shown to be the reported problem (the value would have been accepted, or the
render crashes or writes a broken repo when validation is bypassed), then shown to fail validation
by field path, and through `platform-kit validate` with exit code 2 and no traceback.
"""

from __future__ import annotations

import copy
import posixpath
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from factories import config_problems, config_values, merged
from pydantic import TypeAdapter
from pydantic.alias_generators import to_snake
from stack_support import project_skeleton

from platform_kit.cli import main as cli_main
from platform_kit.config import PlatformConfig, parse_platform_config
from platform_kit.config.base import (
    LAYOUT_ENVIRONMENT_SIBLINGS,
    LAYOUT_ROOTS,
    Model,
    branch_name_problem,
    expects_number,
)
from platform_kit.config.metadata import PlatformMetadata
from platform_kit.config.models import ConfigRepoConfig
from platform_kit.publish.record import RECORD_DIR
from platform_kit.repo import render_config_repo

EKS_ADMIN = "arn:aws:iam::123456789012:role/admin"


REPO = {"url": "https://git.example.com/platform/config.git"}
"""The config repo of these tests (`config_values(repo=REPO)`)."""
EKS_CLUSTER = {
    "kind": "eks",
    "name": "dev",
    "region": "eu-west-1",
    "adminPrincipalArns": [EKS_ADMIN],
    "nodeGroups": [{"name": "general", "instanceTypes": ["m6i.large"]}],
}
"""The EKS cluster section of these tests."""


def unchecked(values: dict[str, Any]) -> PlatformConfig:
    """The config as it was accepted before issue 13: built without running any validator."""
    return PlatformConfig.model_construct(**{key: value for key, value in values.items()})


def validate_exits_2(tmp_path: Path, values: dict[str, Any], path: str) -> None:
    """`platform-kit validate` on a stack file holding `values`: exit 2, the field path, no traceback."""
    from click.testing import CliRunner

    project = project_skeleton(tmp_path / "project")
    document = {"config": {f"platform:{key}": value for key, value in values.items()}}
    (project / "stacks" / "Pulumi.hostile.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    result = CliRunner().invoke(cli_main, ["validate", "--stack", "hostile", "--project", str(project)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"{path}:" in result.output


# --- 1. no booleans for numbers ------------------------------------------------------------

BOOL_FOR_NUMBER = [
    (config_values(agent="argocd", repo=REPO), "gitops.retry.backoffFactor", "platform.gitops.retry.backoffFactor"),
    (config_values(agent="argocd", repo=REPO), "gitops.controllerReplicas", "platform.gitops.controllerReplicas"),
    (config_values(agent="argocd", repo=REPO), "gitops.retry.limit", "platform.gitops.retry.limit"),
    (config_values(repo=REPO), "services.observability.replicas", "platform.services.observability.replicas"),
    (
        config_values(cluster=EKS_CLUSTER, repo=REPO),
        "cluster.nodeGroups.0.minSize",
        "platform.cluster.nodeGroups[0].minSize",
    ),
]


@pytest.mark.parametrize(("values", "dotted", "path"), BOOL_FOR_NUMBER)
def test_a_boolean_is_not_a_number(values, dotted, path, tmp_path):
    # The report: the field's own type, in pydantic's lax mode, reads `true` as 1, a value these fields accept.
    model, name = _field_of(values, dotted)
    assert TypeAdapter(model.model_fields[name].annotation).validate_python(True) == 1
    assert parse_platform_config(merged(values, {dotted: 1}))
    hostile = merged(values, {dotted: True})
    assert path in config_problems(hostile)
    assert config_problems(hostile)[path].endswith("(got `true`)")  # the value as written, no internal object
    validate_exits_2(tmp_path, hostile, path)


def _field_of(values: dict[str, Any], dotted: str) -> tuple[type[Model], str]:
    """The model class and field name `dotted` (camelCase keys) lands on."""
    config = parse_platform_config(values)
    *parents, last = dotted.split(".")
    node: Any = config
    for key in parents:
        node = node[int(key)] if key.isdigit() else getattr(node, to_snake(key))
    return type(node), to_snake(last)


def _all_models(root: type[Model]) -> set[type[Model]]:
    seen: set[type[Model]] = set()
    pending = [root]
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for info in model.model_fields.values():
            pending += [
                arg for arg in _nested_types(info.annotation) if isinstance(arg, type) and issubclass(arg, Model)
            ]
    return seen


def _nested_types(annotation: Any) -> list[Any]:
    from typing import get_args

    found = [annotation]
    for arg in get_args(annotation):
        found += _nested_types(arg)
    return found


def test_every_numeric_field_of_every_model_refuses_booleans():
    """The rule lives in the base model, so it covers fields added later; this walks them all."""
    numeric = [
        (model, name)
        for model in _all_models(PlatformConfig)
        for name, info in model.model_fields.items()
        if expects_number(info.annotation)
    ]
    assert len(numeric) >= 15
    for model, name in numeric:
        data = {name: True}
        with pytest.raises(Exception) as caught:
            model.model_validate(data)
        assert any(
            error["loc"][:1] in ((name,), (model.model_fields[name].alias,)) for error in caught.value.errors()
        ), (
            model.__name__,
            name,
        )


# --- 2. durations --------------------------------------------------------------------------

DURATIONS = [
    (config_values(repo=REPO), "gitops.syncInterval"),
    (config_values(repo=REPO), "gitops.reconcileInterval"),
    (config_values(agent="argocd", repo=REPO), "gitops.syncInterval"),
    (config_values(agent="argocd", repo=REPO), "gitops.retry.backoffDuration"),
    (config_values(agent="argocd", repo=REPO), "gitops.retry.backoffMaxDuration"),
]


@pytest.mark.parametrize(("values", "dotted"), DURATIONS)
@pytest.mark.parametrize("duration", ["0s", "0m0s", "0.0h", "2562048h", "9223372037s", "100000000h"])
def test_durations_are_positive_and_within_go_range(values, dotted, duration):
    path = "platform." + dotted
    # The report: the old type only checked the syntax, so these were accepted.
    import re

    assert re.match(r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$", duration)
    assert path in config_problems(merged(values, {dotted: duration}))


@pytest.mark.parametrize("duration", ["1ms", "30s", "1h30m", "2562047h", "9223372036s", "1.5h"])
def test_durations_within_range_pass(duration):
    assert parse_platform_config(merged(config_values(repo=REPO), {"gitops.syncInterval": duration}))


def test_zero_duration_exits_2(tmp_path):
    validate_exits_2(
        tmp_path, merged(config_values(repo=REPO), {"gitops.syncInterval": "0s"}), "platform.gitops.syncInterval"
    )


def test_prometheus_retention_and_storage_are_not_zero():
    values = merged(config_values(repo=REPO), {"services.observability": {"enabled": True, "retention": "0d"}})
    assert "platform.services.observability.retention" in config_problems(values)
    values = merged(config_values(repo=REPO), {"services.observability": {"enabled": True, "retention": "100000y"}})
    assert "platform.services.observability.retention" in config_problems(values)
    values = merged(config_values(repo=REPO), {"services.observability": {"enabled": True, "storageSize": "0Gi"}})
    assert "platform.services.observability.storageSize" in config_problems(values)


# --- 3. CIDRs, labels, tags ----------------------------------------------------------------

PUBLIC = "cluster.endpoint"


@pytest.mark.parametrize(
    "cidrs",
    [
        ["0.0.0.0/1", "128.0.0.0/1"],
        ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"],
        ["::/1", "8000::/1"],
        ["0.0.0.0/7"],  # one block wider than the documented /8 limit
        ["10.0.0.0/8", "11.0.0.0/8"],  # two /8s: more than a /8 in all
    ],
)
def test_public_cidrs_may_not_cover_the_internet(cidrs, tmp_path):
    # The report: only a literal /0 was refused.
    assert all(not c.endswith("/0") for c in cidrs)
    values = merged(config_values(cluster=EKS_CLUSTER, repo=REPO), {PUBLIC: {"public": True, "publicCidrs": cidrs}})
    assert "platform.cluster.endpoint.publicCidrs" in config_problems(values)
    if cidrs == ["0.0.0.0/1", "128.0.0.0/1"]:
        validate_exits_2(tmp_path, values, "platform.cluster.endpoint.publicCidrs")


def test_public_cidrs_for_real_networks_pass():
    values = merged(
        config_values(cluster=EKS_CLUSTER, repo=REPO),
        {PUBLIC: {"public": True, "publicCidrs": ["203.0.113.0/24", "198.51.100.7/32", "2001:db8::/48"]}},
    )
    assert parse_platform_config(values)
    too_many = [f"203.0.113.{i}/32" for i in range(41)]
    assert "platform.cluster.endpoint.publicCidrs" in config_problems(
        merged(config_values(cluster=EKS_CLUSTER, repo=REPO), {PUBLIC: {"public": True, "publicCidrs": too_many}})
    )


@pytest.mark.parametrize(
    "cidr",
    ["100.64.0.0/16", "8.8.0.0/16", "10.0.0.0/8", "10.0.0.0/11", "172.20.0.0/25", "fd00::/108", "10.0.0.0/16"],
)
def test_service_cidr_follows_the_eks_rules(cidr, tmp_path):
    # 10.0.0.0/16 overlaps the default VPC; the rest break AWS's range or prefix rules.
    values = merged(config_values(cluster=EKS_CLUSTER, repo=REPO), {"cluster.serviceCidr": cidr})
    assert "platform.cluster.serviceCidr" in config_problems(values)
    if cidr == "100.64.0.0/16":
        validate_exits_2(tmp_path, values, "platform.cluster.serviceCidr")


@pytest.mark.parametrize("cidr", ["172.20.0.0/16", "192.168.0.0/24", "10.100.0.0/12"[:0] or "10.96.0.0/12"])
def test_service_cidr_within_the_eks_rules_passes(cidr):
    assert parse_platform_config(merged(config_values(cluster=EKS_CLUSTER, repo=REPO), {"cluster.serviceCidr": cidr}))


@pytest.mark.parametrize(
    ("labels", "fragment"),
    [
        ({"-bad": "x"}, "label key"),
        ({"Example.COM/team": "x"}, "prefix"),
        ({"team": "has space"}, "value of label"),
        ({"team": "x" * 64}, "value of label"),
        ({"a" * 64: "x"}, "label key"),
        ({"team": ""}, "non-empty"),
        ({"node-role.kubernetes.io/worker": "true"}, "kubelet"),
    ],
)
def test_node_labels_are_kubernetes_labels(labels, fragment, tmp_path):
    values = merged(config_values(cluster=EKS_CLUSTER, repo=REPO), {"cluster.nodeGroups.0.labels": labels})
    found = config_problems(values)
    assert fragment in found["platform.cluster.nodeGroups[0].labels"]
    if labels == {"-bad": "x"}:
        validate_exits_2(tmp_path, values, "platform.cluster.nodeGroups[0].labels")


def test_good_node_labels_and_taints_pass():
    values = merged(
        config_values(cluster=EKS_CLUSTER, repo=REPO),
        {"cluster.nodeGroups.0.labels": {"example.com/team": "a.b_c-d", "node.kubernetes.io/pool": "x"}},
    )
    values = merged(
        values, {"cluster.nodeGroups.0.taints": [{"key": "dedicated", "value": "system", "effect": "NO_SCHEDULE"}]}
    )
    assert parse_platform_config(values)
    bad_taint = merged(
        config_values(cluster=EKS_CLUSTER, repo=REPO),
        {"cluster.nodeGroups.0.taints": [{"key": "bad key", "effect": "NO_SCHEDULE"}]},
    )
    assert "platform.cluster.nodeGroups[0].taints[0].key" in config_problems(bad_taint)


@pytest.mark.parametrize(
    "tags",
    [{"aws:owner": "x"}, {"AWS:owner": "x"}, {"k" * 129: "x"}, {"owner": "v" * 257}, {f"t{i}": "x" for i in range(46)}],
)
def test_aws_tags_follow_aws_rules(tags, tmp_path):
    values = merged(config_values(cluster=EKS_CLUSTER, repo=REPO), {"cluster.tags": tags})
    assert "platform.cluster.tags" in config_problems(values)
    secrets = merged(config_values(repo=REPO), {"services.secrets": {"region": "eu-west-1", "tags": tags}})
    assert "platform.services.secrets.tags" in config_problems(secrets)
    if tags == {"aws:owner": "x"}:
        validate_exits_2(tmp_path, values, "platform.cluster.tags")


def test_argocd_cluster_labels_fail_at_validation_not_at_deploy():
    values = merged(config_values(agent="argocd", repo=REPO), {"cluster.region": "Europe (Ireland)"})
    # The report: validation passed and the Argo CD cluster Secret's labels raised later, inside the program.
    with pytest.raises(ValueError, match="label value"):
        PlatformMetadata(
            environment="dev",
            cluster_name="dev-1",
            cluster_kind="existing",
            region="Europe (Ireland)",
            repo_url="u",
            repo_branch="main",
            repo_path="clusters/dev",
        ).to_labels()
    assert "platform.cluster.region" in config_problems(values)
    assert parse_platform_config(
        merged(config_values(repo=REPO), {"cluster.region": "Europe (Ireland)"})
    )  # Flux: no such label


# --- 4. names against the repo layout ------------------------------------------------------


def _probe(agent: str, environment: str = "probe-env", path: str | None = None, team: str = "probe-team") -> dict:
    return config_values(
        {"cluster.region": "eu-west-1"},
        {} if path is None else {"repo.path": path},
        agent=agent,
        environment=environment,
        repo=REPO,
        services={"secrets": {"region": "eu-west-1"}, "observability": {"enabled": True}, "policy": {"enabled": True}},
        teams=[{"name": team, "owners": ["g"]}],
    )


def layout_breakage(values: dict[str, Any]) -> list[str]:
    """Why the render of `values` (validators bypassed) is broken: a crash, a file/directory clash, a kustomization
    that includes its own ancestor (kustomize: `cycle detected`), or a path under `.git`."""
    config = PlatformConfig.model_validate(_neutral(values))
    config = config.model_copy(
        update={
            "environment": values["environment"],
            "repo": config.repo.model_copy(update={"path": values["repo"].get("path")}),
        }
    )
    try:
        files = render_config_repo(config)
    except Exception as error:  # noqa: BLE001 - the crash is the finding
        return [f"crash: {error}"]
    paths = {m.path for m in files}
    found = []
    for path in paths:
        parts = path.split("/")
        if any(part.lower() == ".git" for part in parts):
            found.append(f"under .git: {path}")
        found += [f"file/dir clash: {path}" for i in range(1, len(parts)) if "/".join(parts[:i]) in paths]
    for manifest in files:
        if manifest.path.endswith("kustomization.yaml"):
            here = posixpath.dirname(manifest.path)
            for resource in yaml.safe_load(manifest.content).get("resources", []):
                target = posixpath.normpath(posixpath.join(here, resource))
                if target == here or here.startswith(target + "/"):
                    found.append(f"cycle: {here} includes {target}")
    return found


def _neutral(values: dict[str, Any]) -> dict[str, Any]:
    values = copy.deepcopy(values)
    values["environment"] = "probe-env"
    values["repo"].pop("path", None)
    return values


def layout(agent: str) -> set[str]:
    return {m.path for m in render_config_repo(PlatformConfig.model_validate(_probe(agent)))}


@pytest.mark.parametrize("agent", ["flux", "argocd"])
def test_layout_constants_are_derived_from_the_renderer(agent):
    """LAYOUT_ROOTS and LAYOUT_ENVIRONMENT_SIBLINGS are what a render writes: a layout change fails here."""
    paths = layout("flux") | layout("argocd")
    roots = {path.split("/", 1)[0] for path in paths} - {"clusters"}
    assert LAYOUT_ROOTS == roots | {RECORD_DIR}
    siblings = set()
    for path in paths:
        parts = path.split("/")
        if "probe-env" in parts[1:]:
            parent = parts[: parts.index("probe-env")]
            siblings |= {
                other.split("/")[len(parent)]
                for other in paths
                if other.split("/")[: len(parent)] == parent and parent[:1] != ["clusters"]
            }
    assert LAYOUT_ENVIRONMENT_SIBLINGS == siblings - {"probe-env"}


@pytest.mark.parametrize("agent", ["flux", "argocd"])
@pytest.mark.parametrize("name", sorted(LAYOUT_ENVIRONMENT_SIBLINGS - {"README.md"}))
def test_environment_named_like_a_layout_directory_breaks_the_render_and_is_refused(agent, name, tmp_path):
    values = _probe(agent, environment=name)
    assert layout_breakage(values), f"{name} renders fine: it need not be reserved"
    assert "platform.environment" in config_problems(values)
    if agent == "flux" and name == "base":
        validate_exits_2(tmp_path, values, "platform.environment")


@pytest.mark.parametrize("agent", ["flux", "argocd"])
def test_repo_path_inside_a_layout_directory_is_refused(agent):
    breaking = [
        path
        for path in (
            "README.md",
            "apps",
            "apps/base",
            "apps/probe-env",
            "infrastructure",
            "infrastructure/configs",
            "projects",
            "teams/probe-team",
            ".git/hooks",
            "x/.git",
        )
        if layout_breakage(_probe(agent, path=path))
    ]
    assert len(breaking) >= 8  # the report: these crash the render or write into .git
    for path in breaking:
        assert "platform.repo.path" in config_problems(_probe(agent, path=path)), path
    for root in sorted(LAYOUT_ROOTS):
        assert "platform.repo.path" in config_problems(_probe(agent, path=f"{root}/probe")), root
    for path in ("x/.GIT/y", "x/.git./y", "git~1"):
        assert "platform.repo.path" in config_problems(_probe(agent, path=path)), path
    assert parse_platform_config(_probe(agent, path="clusters/eu/probe-env"))


def test_repo_path_in_git_dir_exits_2(tmp_path):
    values = _probe("flux", path=".git/hooks")
    validate_exits_2(tmp_path, values, "platform.repo.path")


@pytest.mark.parametrize("agent", ["flux", "argocd"])
def test_team_names_cannot_break_the_layout(agent):
    """Team directories hold only teams and a README.md (no DNS label), so no team name is reserved: shown here."""
    names = {part for path in layout(agent) for part in path.split("/")}
    candidates = sorted(name for name in names if PlatformConfig.model_fields and _dns_label(name))
    assert {"base", "apps", "configs", "teams", "probe-env"} <= set(candidates)
    for name in candidates:
        if name in {"monitoring", "argocd", "flux-system", "kyverno", "external-secrets", "platform-system"}:
            continue  # reserved as namespaces already
        assert not layout_breakage(_probe(agent, team=name)), name


def _dns_label(name: str) -> bool:
    import re

    return bool(re.match(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name))


# --- branches ------------------------------------------------------------------------------

BAD_BRANCHES = [
    "main.lock",
    "a..b",
    ".hidden",
    "a/.b",
    "a/",
    "/a",
    "a//b",
    "a.",
    "@",
    "-x",
    "HEAD",
    "a@{b",
    "feat/x.lock",
]


def _git_accepts(name: str) -> bool:
    """git's own check of `refs/heads/<name>` (`--branch` would expand `@` and `@{-1}` shorthands instead)."""
    proc = subprocess.run(["git", "check-ref-format", f"refs/heads/{name}"], capture_output=True, check=False)
    return proc.returncode == 0


@pytest.mark.parametrize("name", [*BAD_BRANCHES, "main", "feature/x", "release-1.2", "a.b/c_d", "v1.0", "x@y"])
def test_branch_rules_agree_with_git(name):
    if name in ("-x", "HEAD", "@"):  # valid under refs/heads/, but `git branch` refuses them as branch names
        assert branch_name_problem(name) is not None
        return
    assert (branch_name_problem(name) is None) == _git_accepts(name), name


@pytest.mark.parametrize("name", ["main.lock", "a..b"])
def test_bad_branch_fails_config_and_the_cli_flag(name, tmp_path):
    values = merged(config_values(repo=REPO), {"repo.branch": name})
    assert "platform.repo.branch" in config_problems(values)
    validate_exits_2(tmp_path, values, "platform.repo.branch")
    with pytest.raises(Exception, match="branch"):
        ConfigRepoConfig.model_validate({"url": "https://h/x.git", "branch": name})


def test_seed_branch_flag_exits_2(tmp_path):
    from click.testing import CliRunner

    project = project_skeleton(tmp_path / "project")
    document = {"config": {f"platform:{key}": value for key, value in config_values(repo=REPO).items()}}
    (project / "stacks" / "Pulumi.dev.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    result = CliRunner().invoke(
        cli_main, ["seed", "--stack", "dev", "--branch", "main.lock", "--plan", "--project", str(project)]
    )
    assert result.exit_code == 2, result.output
    assert "platform.repo.branch" in result.output


# --- 5. team channel -----------------------------------------------------------------------


def test_team_channel_needs_notifications(tmp_path):
    values = merged(
        config_values(repo=REPO), {"teams": [{"name": "payments", "owners": ["g"], "channel": "#payments"}]}
    )
    # The report: the render simply has nothing that posts to the channel.
    files = render_config_repo(unchecked_with_defaults(values))
    assert not any("#payments" in m.content for m in files)
    assert "platform.teams[0].channel" in config_problems(values)
    validate_exits_2(tmp_path, values, "platform.teams[0].channel")
    with_notifications = merged(values, {"services.observability": {"notifications": {"webhookUrlEnv": "HOOK"}}})
    assert parse_platform_config(with_notifications)


def unchecked_with_defaults(values: dict[str, Any]) -> PlatformConfig:
    """`values` without its team channels, validated, then the channels put back (what was accepted before)."""
    stripped = copy.deepcopy(values)
    channels = [team.pop("channel", None) for team in stripped["teams"]]
    config = parse_platform_config(stripped)
    teams = tuple(team.model_copy(update={"channel": c}) for team, c in zip(config.teams, channels, strict=True))
    return config.model_copy(update={"teams": teams})


def test_shipped_stacks_stay_valid():
    from platform_kit.config import load_stack_file

    root = Path(__file__).resolve().parent.parent
    for stack in ("local", "local-argocd", "dev", "staging", "prod"):
        assert load_stack_file(root, stack)
