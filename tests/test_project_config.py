"""Pulumi.yaml's `config:` offline: Pulumi's precedence, its checks, and ESC environments refused.

Reference: pulumi/pulumi pkg/workspace/config.go `mergeConfig` (stack value wins whole; a project
`value`/`default` fills a key the stack lacks; a dotted key is a path) and
sdk/go/common/workspace/project.go (`RewriteShorthandConfigValues`, `Project.Validate`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from stack_support import project_skeleton

from platform_kit.cli import main
from platform_kit.config import ConfigError, load_stack_file
from platform_kit.config.loaders import (
    apply_project_config,
    esc_environment_names,
    program_config,
    project_declarations,
    read_stack_file,
)
from platform_kit.offline.preview import run_stack

STACK = "dev"
PLATFORM_CLI = shutil.which("platform-kit", path=str(Path(sys.executable).parent)) or "platform-kit"
GIT_REPOSITORY_TYPE = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository"
CLUSTER = {"kind": "existing", "name": "dev-cluster", "kubeconfig": {"path": "~/.kube/config"}}
REPO = {"url": "https://git.example.com/org/platform-config.git"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The repo's project skeleton; each test writes its own Pulumi.yaml `config:` and stack file."""
    return project_skeleton(tmp_path / "project")


def write(project: Path, project_config: dict[str, Any] | None, stack: dict[str, Any]) -> None:
    """Set Pulumi.yaml's `config:` and write `stacks/Pulumi.dev.yaml`."""
    document = yaml.safe_load((project / "Pulumi.yaml").read_text())
    if project_config is not None:
        document["config"] = project_config
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    (project / "stacks" / f"Pulumi.{STACK}.yaml").write_text(yaml.safe_dump(stack, sort_keys=False))


def platform(**values: Any) -> dict[str, Any]:
    """`{config: {platform:<key>: value}}`."""
    return {"config": {f"platform:{key}": value for key, value in values.items()}}


def invoke(*args: Any):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def validate(project: Path):
    return invoke("validate", "--stack", STACK, "--project", project)


def test_a_value_only_in_pulumi_yaml_validates(project: Path):
    write(
        project,
        {"platform:gitops": {"value": {"agent": "flux"}}},
        platform(environment="dev", cluster=CLUSTER, repo=REPO),
    )
    result = validate(project)
    assert result.exit_code == 0, result.output
    assert "agent flux" in result.output


def test_the_stack_value_wins_whole_over_the_project_value(project: Path):
    project_repo = {"url": "https://git.example.com/org/other.git", "branch": "develop"}
    write(
        project,
        {"platform:gitops": {"value": {"agent": "argocd"}}, "platform:repo": {"value": project_repo}},
        platform(environment="dev", cluster=CLUSTER, repo=REPO, gitops={"agent": "flux"}),
    )
    config = load_stack_file(project, STACK)
    assert config.gitops.agent == "flux"
    # Pulumi replaces the key, it does not merge objects: the project's `branch` is not kept.
    assert (config.repo.url, config.repo.branch) == (REPO["url"], "main")


def test_a_dotted_project_key_is_a_path_into_the_stack_object(project: Path):
    flux = {"agent": "flux"}
    write(
        project,
        {"platform:repo.branch": "develop"},
        platform(environment="dev", cluster=CLUSTER, repo=REPO, gitops=flux),
    )
    assert load_stack_file(project, STACK).repo.branch == "develop"
    write(project, None, platform(environment="dev", cluster=CLUSTER, repo=REPO | {"branch": "release"}, gitops=flux))
    assert load_stack_file(project, STACK).repo.branch == "release"


def test_project_default_fills_the_projects_own_keys_and_reaches_the_program(project: Path):
    stack = platform(environment="dev", cluster=CLUSTER, repo=REPO, gitops={"agent": "flux"})
    stack["config"]["platform-kit:team"] = "apps"
    project_config = {"greeting": "hello", "team": {"type": "string", "default": "core"}, "platform-kit:size": 3}
    write(project, project_config | {"aws:region": "eu-west-1"}, stack)
    flat, secret_keys = program_config(read_stack_file(project, STACK)[1])
    assert flat["platform-kit:greeting"] == "hello"  # unnamespaced: the project's namespace, shorthand = default
    assert flat["platform-kit:team"] == "apps"  # the stack's value over the project's default
    assert flat["platform-kit:size"] == "3"
    assert flat["aws:region"] == "eu-west-1"  # another namespace: shorthand = value
    assert secret_keys == []


def test_unnamespaced_project_keys_do_not_feed_the_platform_config(project: Path):
    write(project, {"environment": "dev"}, platform(cluster=CLUSTER, repo=REPO, gitops={"agent": "flux"}))
    result = validate(project)
    assert result.exit_code == 2
    assert "platform.environment: is required" in result.output


def test_a_typo_in_a_project_value_names_the_path_and_pulumi_yaml(project: Path):
    cluster = {"kind": "existing", "name": "dev-cluster", "kubeconfg": {"path": "~/.kube/config"}}
    write(
        project,
        {"platform:cluster": {"value": cluster}},
        platform(environment="dev", repo=REPO, gitops={"agent": "flux"}),
    )
    result = validate(project)
    assert result.exit_code == 2
    assert f"invalid config in {project / 'Pulumi.yaml'} " in result.output
    assert "platform.cluster.kubeconfg: unknown key `kubeconfg`; did you mean `kubeconfig`?" in result.output
    assert "Pulumi.dev.yaml" not in result.output
    assert "Traceback" not in result.output


def test_problems_in_both_files_name_each_file(project: Path):
    write(
        project,
        {"platform:gitops": {"value": {"agent": "argo"}}},
        platform(environment="dev", cluster=CLUSTER | {"nmae": "x"}, repo=REPO),
    )
    with pytest.raises(ConfigError) as caught:
        load_stack_file(project, STACK)
    stack_file, project_file = project / "stacks" / "Pulumi.dev.yaml", project / "Pulumi.yaml"
    assert caught.value.source == f"{stack_file} and {project_file}"
    messages = {problem.path: problem.message for problem in caught.value.problems}
    assert messages["platform.gitops"].endswith(f"(from {project_file})")
    assert "(from" not in messages["platform.cluster.nmae"]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"kind": "existing"}, "unknown declaration field(s) `kind`; an object value goes under `value:`"),
        ({"default": {"agent": "flux"}}, "use `value`, not `default`"),
        ({"type": "object", "value": {}}, "must not declare a `type`"),
        ({"description": "no value"}, "must set `value`"),
        (1.5, "must be a string, integer, boolean, list, or a declaration"),
    ],
)
def test_pulumi_yaml_declarations_are_checked_like_pulumi(project: Path, entry: Any, expected: str):
    write(project, {"platform:gitops": entry}, platform(environment="dev", cluster=CLUSTER, repo=REPO))
    result = validate(project)
    assert result.exit_code == 2
    assert f"invalid config in {project / 'Pulumi.yaml'}" in result.output
    assert "platform:gitops: " in result.output and expected in result.output


def test_a_required_project_key_the_stack_lacks_is_an_error(project: Path):
    full = platform(environment="dev", cluster=CLUSTER, repo=REPO, gitops={"agent": "flux"})
    write(project, {"team": {"type": "string", "description": "the owning team"}}, full)
    result = validate(project)
    assert result.exit_code == 2
    assert "platform-kit:team: missing: Pulumi.yaml declares it without a default" in result.output
    full["config"]["platform-kit:team"] = "apps"
    write(project, None, full)
    assert validate(project).exit_code == 0


def test_render_and_validate_see_the_same_merged_config(project: Path, tmp_path: Path):
    write(
        project,
        {"platform:gitops": {"value": {"agent": "flux"}}, "platform:repo.branch": "develop"},
        platform(environment="dev", cluster=CLUSTER, repo=REPO),
    )
    checked = validate(project)
    assert checked.exit_code == 0 and "develop" in checked.output
    out = tmp_path / "out"
    rendered = invoke("render", "--stack", STACK, "--out", out, "--project", project)
    assert rendered.exit_code == 0, rendered.output
    plan = json.loads((out / "plan.json").read_text())
    (source,) = [r for r in plan["resources"] if r["type"] == GIT_REPOSITORY_TYPE]
    assert source["inputs"]["spec"]["ref"]["branch"] == "develop"  # what the program itself read
    assert run_stack(project, STACK).config == load_stack_file(project, STACK)


@pytest.mark.parametrize(
    "environment",
    [["acme/dev-env", "acme/shared"], {"imports": ["acme/dev-env", {"acme/shared": {"merge": False}}]}],
)
def test_esc_environments_are_refused_offline(project: Path, tmp_path: Path, environment: Any):
    stack = platform(environment="dev", cluster=CLUSTER, repo=REPO, gitops={"agent": "flux"})
    write(project, None, stack | {"environment": environment})
    for args in (("validate",), ("render", "--out", tmp_path / "out"), ("seed", "--plan")):
        result = invoke(*args, "--stack", STACK, "--project", project)
        assert result.exit_code == 2, (args, result.output)
        assert "`acme/dev-env`, `acme/shared`" in result.output
        assert "pulumi env open" in result.output and "pulumi up" in result.output
    process = subprocess.run(
        [PLATFORM_CLI, "validate", "--stack", STACK, "--project", str(project)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert process.returncode == 2 and "Traceback" not in process.stderr and "ESC" in process.stderr


def test_esc_environment_names():
    assert esc_environment_names(None) == [] and esc_environment_names([]) == []
    assert esc_environment_names({"imports": ["a"], "values": {"pulumiConfig": {"x": 1}}}) == ["a", "inline `values`"]


def test_apply_project_config_is_pulumis_merge():
    declarations = project_declarations(
        {"name": "p", "config": {"n": 1, "p:obj": {"default": {"a": 1}}, "ns:k": {"value": "v"}, "ns:o.x": "y"}}, "P"
    )
    stack = {"ns:k": "stack", "ns:o": {"z": 1}}
    merged, origins, missing = apply_project_config(stack, declarations, "S", "P")
    assert merged == {"ns:k": "stack", "ns:o": {"z": 1, "x": "y"}, "p:n": 1, "p:obj": {"a": 1}}
    assert origins == {("ns:k",): "S", ("ns:o",): "S", ("ns:o", "x"): "P", ("p:n",): "P", ("p:obj",): "P"}
    assert missing == [] and stack == {"ns:k": "stack", "ns:o": {"z": 1}}  # the input is not modified
