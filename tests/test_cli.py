"""`platform-kit` CLI end to end: validate, render, seed (against real git servers) and schema.

Each test builds its own project in tmp_path (the repo's Pulumi.yaml and stack program,
plus stack files written here), so nothing touches the repo's own `.gitops/`.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from stack_support import existing_cluster_stack, project_skeleton

import platform_kit.offline.engine as engine
import platform_kit.offline.preview as preview
from platform_kit.cli import main
from platform_kit.config import ConfigError, load_stack_file
from platform_kit.gitops.seed import SEED_COMMIT_TYPE
from platform_kit.offline.engine import SECRET_MARKER
from platform_kit.repo import render_config_repo
from platform_kit.testing.git_server import HTTP_TOKEN, HUMAN_GIT_ENV, free_port, git

REPO_ROOT = Path(__file__).resolve().parent.parent
PLATFORM_CLI = shutil.which("platform-kit", path=str(Path(sys.executable).parent)) or "platform-kit"


ROOT_KUSTOMIZATION_TYPE = "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization"
GIT_REPOSITORY_TYPE = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository"
K8S_PROVIDER_TYPE = "pulumi:providers:kubernetes"
SECRET_TYPE = "kubernetes:core/v1:Secret"

CIPHERTEXT = "v1:AAABBBcipherTEXTzz9qQ+/kubeconfig=="
TOKEN_VALUE = "tok-DISTINCTIVE-4f9c1e7a"
RECORD = ".platform-kit/seed-dev.json"


def base_config(environment: str = "dev") -> dict[str, Any]:
    """A valid stack file (`config:` mapping) for an existing cluster and Flux."""
    return existing_cluster_stack(environment, context=f"kind-{environment}")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project skeleton (Pulumi.yaml, __main__.py, stacks/__main__.py) without stack files."""
    root = project_skeleton(tmp_path / "project")
    project_file = yaml.safe_load((root / "Pulumi.yaml").read_text())
    assert "main" not in project_file and project_file["stackConfigDir"] == "stacks"
    return root


def write_stack(project: Path, stack: str, document: dict[str, Any] | str) -> Path:
    path = project / "stacks" / f"Pulumi.{stack}.yaml"
    path.write_text(document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False))
    return path


def invoke(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    # A user error ends in sys.exit, never in an uncaught exception.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real console script, so 'no traceback' is proven on the actual process output."""
    return subprocess.run(
        [PLATFORM_CLI, *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def commit_count(bare: Path, branch: str = "main") -> int:
    proc = subprocess.run(
        ["git", "--git-dir", str(bare), "log", "--oneline", branch],
        env=HUMAN_GIT_ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:  # no such branch yet: no commits
        return 0
    return len(proc.stdout.splitlines())


def tree_paths(bare: Path, rev: str = "main") -> list[str]:
    return sorted(git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", rev).splitlines())


def read_tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def rendered(project: Path, stack: str) -> dict[str, bytes]:
    return {m.path: m.content.encode("utf-8") for m in render_config_repo(load_stack_file(project, stack))}


# --- validate ------------------------------------------------------------------


def test_validate_real_local_stack_exits_0():
    result = invoke("validate", "--stack", "local", "--project", REPO_ROOT)
    assert result.exit_code == 0, result.output
    assert "stack local: valid" in result.output
    assert "environment local" in result.output and "agent flux" in result.output


def test_validate_lists_every_problem_by_field_path_without_traceback(project: Path):
    document = base_config()
    config = document["config"]
    config["platform:environment"] = "Bad_Env"
    config["platform:cluster"]["bogusKey"] = 1
    config["platform:gitops"] = {"agent": "argo"}
    config["platform:repo"]["url"] = "ftp://example.com/config.git"
    write_stack(project, "broken", document)

    proc = run_cli("validate", "--stack", "broken", "--project", project)

    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output
    problems = [line.strip() for line in proc.stderr.splitlines() if line.startswith("  ")]
    paths = [problem.split(":", 1)[0] for problem in problems]
    assert paths == ["platform.environment", "platform.cluster.bogusKey", "platform.gitops", "platform.repo.url"]
    assert "4 problems" in proc.stderr
    assert "unknown agent `argo`" in proc.stderr
    assert "unsupported scheme `ftp`" in proc.stderr


def test_validate_unknown_stack_exits_2_naming_available_stacks(project: Path):
    write_stack(project, "dev", base_config("dev"))
    write_stack(project, "prod", base_config("prod"))

    result = invoke("validate", "--stack", "staging", "--project", project)

    assert result.exit_code == 2
    assert "Pulumi.staging.yaml" in result.output
    assert "stacks here: dev, prod" in result.output


def test_validate_invalid_yaml_exits_2(project: Path):
    write_stack(project, "dev", "config:\n  platform:environment: [unclosed\n  platform:gitops: {agent: flux\n")

    result = invoke("validate", "--stack", "dev", "--project", project)

    assert result.exit_code == 2
    assert "not valid YAML" in result.output
    assert "Traceback" not in result.output


# --- render ----------------------------------------------------------------------


def test_render_never_leaks_secrets(project: Path, tmp_path: Path):
    document = base_config("sec")
    document["config"]["platform:cluster"]["kubeconfig"] = {"content": {"secure": CIPHERTEXT}}
    document["config"]["platform:repo"]["credentials"] = {"kind": "token", "tokenEnv": "PK_TEST_GIT_TOKEN"}
    write_stack(project, "sec", document)
    out = tmp_path / "out"

    result = invoke(
        "render", "--stack", "sec", "--out", out, "--project", project, env={"PK_TEST_GIT_TOKEN": TOKEN_VALUE}
    )

    assert result.exit_code == 0, result.output
    plan_text = (out / "plan.json").read_text()
    plan = json.loads(plan_text)
    (provider,) = [r for r in plan["resources"] if r["type"] == K8S_PROVIDER_TYPE]
    assert provider["inputs"]["kubeconfig"] == SECRET_MARKER
    secrets = [r for r in plan["resources"] if r["type"] == SECRET_TYPE]
    assert sorted(r["name"] for r in secrets) == ["sec-flux-git-credentials", "sec-flux-webhook-token"]
    assert all(secret["inputs"]["stringData"] == SECRET_MARKER for secret in secrets)
    (seed,) = [r for r in plan["resources"] if r["type"] == SEED_COMMIT_TYPE]
    assert seed["inputs"]["auth"] == SECRET_MARKER
    repo_text = "\n".join(content.decode("utf-8") for content in read_tree(out / "config-repo").values())
    assert repo_text  # the tree was written
    for leak in (TOKEN_VALUE, CIPHERTEXT, CIPHERTEXT[3:]):
        assert leak not in plan_text
        assert leak not in repo_text
        assert leak not in result.output


def test_render_writes_plan_and_exact_config_repo(project: Path, tmp_path: Path):
    write_stack(project, "dev", base_config("dev"))
    out = tmp_path / "out"

    result = invoke("render", "--stack", "dev", "--out", out, "--project", project)

    assert result.exit_code == 0, result.output
    plan = json.loads((out / "plan.json").read_text())
    assert plan["stack"] == "dev"
    assert plan["resources"]
    for resource in plan["resources"]:
        assert {"type", "name", "parent", "dependencies", "inputs"} <= set(resource), resource
        assert isinstance(resource["dependencies"], list)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for resource in plan["resources"]:
        by_type.setdefault(resource["type"], []).append(resource)
    (root_sync,) = by_type[ROOT_KUSTOMIZATION_TYPE]
    (seed,) = by_type[SEED_COMMIT_TYPE]
    (source,) = by_type[GIT_REPOSITORY_TYPE]
    assert seed["urn"] in root_sync["dependencies"]
    assert source["urn"] in root_sync["dependencies"]
    assert seed["urn"] in source["dependencies"]
    (k8s_provider,) = by_type[K8S_PROVIDER_TYPE]
    assert root_sync["provider"].startswith(k8s_provider["urn"] + "::")
    urns = {r["urn"] for r in plan["resources"]}
    assert all(r["parent"] in urns for r in plan["resources"] if r["type"] != "platform-kit:platform:Platform")

    expected = rendered(project, "dev")
    assert read_tree(out / "config-repo") == expected
    assert "clusters/dev/apps.yaml" in expected


def normalized_plan(text: str) -> str:
    """plan.json with resources sorted by URN and keys sorted: what it says, not how it is ordered."""
    plan = json.loads(text)
    plan["resources"].sort(key=lambda r: r["urn"])
    return json.dumps(plan, sort_keys=True)


def test_render_again_replaces_config_repo_and_removes_stale_files(project: Path, tmp_path: Path):
    write_stack(project, "dev", base_config("dev"))
    out = tmp_path / "out"
    assert invoke("render", "--stack", "dev", "--out", out, "--project", project).exit_code == 0
    first_plan = (out / "plan.json").read_text()
    first_tree = read_tree(out / "config-repo")
    (out / "config-repo" / "stale" / "left-over.yaml").parent.mkdir()
    (out / "config-repo" / "stale" / "left-over.yaml").write_text("kind: Stale\n")
    (out / "config-repo" / "clusters" / "dev" / "apps.yaml").write_text("edited\n")

    # A file render did not write is refused, never deleted (issue 13); an edited file of its own is replaced.
    refused = invoke("render", "--stack", "dev", "--out", out, "--project", project)
    assert refused.exit_code == 2 and "config-repo/stale/" in refused.output
    assert (out / "config-repo" / "stale" / "left-over.yaml").read_text() == "kind: Stale\n"
    shutil.rmtree(out / "config-repo" / "stale")
    assert invoke("render", "--stack", "dev", "--out", out, "--project", project).exit_code == 0

    assert read_tree(out / "config-repo") == first_tree
    assert normalized_plan((out / "plan.json").read_text()) == normalized_plan(first_plan)


def test_render_plan_json_is_byte_identical_across_runs(project: Path, tmp_path: Path):
    write_stack(project, "dev", base_config("dev"))
    plans = []
    for attempt in range(3):
        out = tmp_path / f"out{attempt}"
        proc = run_cli("render", "--stack", "dev", "--out", out, "--project", project)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == ""  # no noise from the mock engine's event loops at exit
        plans.append((out / "plan.json").read_bytes())
    assert len({normalized_plan(p.decode()) for p in plans}) == 1  # same content...
    assert plans[0] == plans[1] == plans[2]  # ...and the same bytes


def test_config_error_fails_before_any_resource_is_registered(project: Path, tmp_path: Path, monkeypatch):
    registered: list[str] = []
    original = engine.RecordingMonitor.RegisterResource

    def spy(self, request):
        registered.append(request.name)
        return original(self, request)

    monkeypatch.setattr(engine.RecordingMonitor, "RegisterResource", spy)
    bad = base_config("dev")
    bad["config"]["platform:cluster"]["kubeconfig"] = {}  # neither path nor content
    write_stack(project, "bad", bad)
    write_stack(project, "good", base_config("good"))

    with pytest.raises(ConfigError) as caught:
        preview.run_stack(project, "bad")
    assert any(p.path == "platform.cluster.kubeconfig" for p in caught.value.problems)
    assert registered == []

    out = tmp_path / "out"
    result = invoke("render", "--stack", "bad", "--out", out, "--project", project)
    assert result.exit_code == 2
    assert "platform.cluster.kubeconfig" in result.output
    assert not (out / "plan.json").exists()
    assert registered == []

    # Control: the same spy does see a valid stack's resources.
    preview.run_stack(project, "good")
    assert "good-seed-commit" in registered


# --- seed --------------------------------------------------------------------------


def test_seed_to_git_daemon_is_one_commit_then_idempotent_and_keeps_human_edits(project, git_daemon, tmp_path):
    write_stack(project, "dev", base_config("dev"))
    bare = git_daemon.create_repo("config")
    url = git_daemon.url("config")
    expected = rendered(project, "dev")

    first = invoke("seed", "--stack", "dev", "--repo", url, "--project", project)
    assert first.exit_code == 0, first.output
    assert f"seeded {len(expected)} files in one commit" in first.output
    assert commit_count(bare) == 1
    assert tree_paths(bare) == sorted([*expected, RECORD])  # the files and this environment's seed record
    for path, content in expected.items():
        assert (
            subprocess.run(
                ["git", "--git-dir", str(bare), "show", f"main:{path}"], capture_output=True, check=True
            ).stdout
            == content
        )
    head = git("--git-dir", str(bare), "rev-parse", "main").strip()

    second = invoke("seed", "--stack", "dev", "--repo", url, "--project", project)
    assert second.exit_code == 0, second.output
    assert "nothing to seed" in second.output
    assert commit_count(bare) == 1
    assert git("--git-dir", str(bare), "rev-parse", "main").strip() == head

    clone = tmp_path / "clone"
    git("clone", "-q", url, str(clone))
    human = b"# edited by a human\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n"
    (clone / "clusters" / "dev" / "apps.yaml").write_bytes(human)
    git("commit", "-q", "-am", "human edit", cwd=clone)
    git("push", "-q", "origin", "main", cwd=clone)
    human_head = git("rev-parse", "HEAD", cwd=clone).strip()

    third = invoke("seed", "--stack", "dev", "--repo", url, "--project", project)
    assert third.exit_code == 0, third.output
    assert "nothing to seed" in third.output
    assert commit_count(bare) == 2
    assert git("--git-dir", str(bare), "rev-parse", "main").strip() == human_head
    shown = subprocess.run(
        ["git", "--git-dir", str(bare), "show", "main:clusters/dev/apps.yaml"], capture_output=True, check=True
    ).stdout
    assert shown == human


def test_seed_over_http_with_wrong_token_fails_cleanly_then_right_token_seeds(project, git_http_server):
    document = base_config("dev")
    document["config"]["platform:repo"]["credentials"] = {"kind": "token", "tokenEnv": "PK_SEED_TOKEN"}
    write_stack(project, "dev", document)
    bare = git_http_server.create_repo("config")
    url = git_http_server.url("config")
    wrong = "wrong-token-7c0ffee-DO-NOT-PRINT"

    proc = run_cli("seed", "--stack", "dev", "--repo", url, "--project", project, env={"PK_SEED_TOKEN": wrong})

    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "authentication failed" in output
    assert wrong not in output
    assert "Traceback" not in output
    assert commit_count(bare) == 0
    assert any(status == 401 for _, _, status in git_http_server.requests)

    ok = invoke("seed", "--stack", "dev", "--repo", url, "--project", project, env={"PK_SEED_TOKEN": HTTP_TOKEN})
    assert ok.exit_code == 0, ok.output
    assert HTTP_TOKEN not in ok.output
    assert commit_count(bare) == 1
    assert tree_paths(bare) == sorted([*rendered(project, "dev"), RECORD])


def test_seed_with_pulumi_secret_token_and_no_env_exits_2(project, git_daemon):
    document = base_config("dev")
    document["config"]["platform:repo"]["credentials"] = {"kind": "token", "token": {"secure": CIPHERTEXT}}
    write_stack(project, "dev", document)
    bare = git_daemon.create_repo("config")

    result = invoke("seed", "--stack", "dev", "--repo", git_daemon.url("config"), "--project", project)

    assert result.exit_code == 2, result.output
    assert "tokenEnv" in result.output
    assert "cannot be decrypted offline" in result.output
    assert CIPHERTEXT not in result.output
    assert commit_count(bare) == 0


def test_seed_to_unreachable_remote_exits_1(project):
    write_stack(project, "dev", base_config("dev"))
    url = f"git://127.0.0.1:{free_port()}/x.git"

    result = invoke("seed", "--stack", "dev", "--repo", url, "--project", project)

    assert result.exit_code == 1, result.output
    assert "unreachable" in result.output
    assert "127.0.0.1" in result.output
    assert "Traceback" not in result.output


# --- schema ------------------------------------------------------------------------


def test_schema_is_json_and_validates_stack_files():
    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    local = yaml.safe_load((REPO_ROOT / "stacks" / "Pulumi.local.yaml").read_text())
    assert list(validator.iter_errors(local)) == []

    unknown_key = copy.deepcopy(local)
    unknown_key["config"]["platform:cluster"]["bogusKey"] = 1
    assert list(validator.iter_errors(unknown_key)) != []

    secure_token = copy.deepcopy(local)
    secure_token["config"]["platform:repo"]["credentials"] = {"kind": "token", "token": {"secure": "v1:abc"}}
    assert list(validator.iter_errors(secure_token)) == []

    bad_secure = copy.deepcopy(secure_token)
    bad_secure["config"]["platform:repo"]["credentials"]["token"] = {"secure": "v1:abc", "extra": 1}
    assert list(validator.iter_errors(bad_secure)) != []
