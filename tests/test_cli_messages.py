"""The CLI's messages in plain words (issue 14, item 5): misspelt keys named with a suggestion, pydantic's
jargon mapped, YAML errors with line, column and reason, and the rough edges of the CLI's output and exit codes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from stack_support import existing_cluster_stack, project_skeleton

from platform_kit.cli import main

TOKEN = "tok-NEVER-SHOWN-93c1"


def stack(environment: str = "dev") -> dict[str, Any]:
    return existing_cluster_stack(environment)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return project_skeleton(tmp_path / "project")


def write(project: Path, name: str, document: dict[str, Any] | str) -> Path:
    path = project / "stacks" / f"Pulumi.{name}.yaml"
    path.write_text(document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False))
    return path


def invoke(*args: Any):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def problems_of(result) -> list[str]:
    return [line.strip() for line in result.output.splitlines() if line.startswith("  ")]


def test_a_misspelt_key_is_named_with_a_suggestion_not_reported_as_the_missing_one(project: Path):
    document = stack()
    config = document["config"]
    config["platfrom:environment"] = config.pop("platform:environment")
    config["platform:gitops"] = {"agnet": "flux"}
    config["platform:servces"] = {}
    config["aws:region"] = "eu-west-1"  # another namespace: none of our business
    write(project, "dev", document)
    result = invoke("validate", "--stack", "dev", "--project", project)
    assert result.exit_code == 2
    assert sorted(problems_of(result)) == [
        "config.platfrom:environment: unknown namespace `platfrom`; did you mean `platform:environment`?",
        "platform.gitops.agnet: unknown key `agnet`; did you mean `agent`?",
        "platform.servces: unknown key `servces`; did you mean `services`?",
    ]
    assert "is required" not in result.output and "missing" not in result.output


def test_a_stray_key_next_to_a_missing_one_and_a_plain_unknown_key(project: Path):
    document = stack()
    cluster = document["config"]["platform:cluster"]
    cluster["kubeconfg"] = cluster.pop("kubeconfig")
    cluster["colour"] = "blue"
    write(project, "dev", document)
    found = problems_of(invoke("validate", "--stack", "dev", "--project", project))
    assert "platform.cluster.kubeconfg: unknown key `kubeconfg`; did you mean `kubeconfig`?" in found
    assert "platform.cluster.colour: unknown key `colour`" in found
    assert not any(line.startswith("platform.cluster.kubeconfig:") for line in found), found


@pytest.mark.parametrize(
    ("mutate", "line"),
    [
        (
            lambda c: c["platform:gitops"].update(syncInterval="5 minutes"),
            "platform.gitops.syncInterval: `5 minutes` is not a duration like 30s, 5m, 1h or 1h30m (units ms, s, m, h)",
        ),
        (
            lambda c: c.update({"platform:services": {"observability": {"retention": "30 days"}}}),
            "platform.services.observability.retention: `30 days` is not a retention like 12h, 30d, 4w or 1y "
            "(a whole number of hours, days, weeks or years)",
        ),
        (
            lambda c: c["platform:repo"].update(branch=["main"]),
            "platform.repo.branch: must be a string",
        ),
        (
            lambda c: c["platform:repo"].update(credentials={"kind": "token", "token": 42}),
            "platform.repo.credentials.token: must be a string (got `[secret]`)",
        ),
        (
            lambda c: c["platform:repo"].update(credentials={"kind": "token", "tokenEnv": f"{TOKEN}!"}),
            f"platform.repo.credentials.tokenEnv: `{TOKEN}!` is not an environment variable name like `GIT_TOKEN` "
            "(letters, digits, `_`)",
        ),
        (
            lambda c: c.update({"platform:environment": "Dev_1"}),
            "platform.environment: `Dev_1` is not a lower-case DNS label (a-z, 0-9 and `-`, starting and ending "
            "with a letter or digit)",
        ),
    ],
)
def test_pydantic_jargon_becomes_plain_words_with_the_value_but_never_a_secret(project: Path, mutate, line):
    document = copy.deepcopy(stack())
    mutate(document["config"])
    write(project, "dev", document)
    result = invoke("validate", "--stack", "dev", "--project", project)
    assert result.exit_code == 2
    assert line in problems_of(result), result.output
    for jargon in ("Extra inputs", "should match pattern", "Input should", "Field required"):
        assert jargon not in result.output


def test_a_secret_value_is_never_shown(project: Path):
    document = stack()
    document["config"]["platform:repo"]["credentials"] = {"kind": "token", "token": [TOKEN]}
    document["config"]["platform:repo"]["url"] = f"ftp://user:{TOKEN}@git.example.com/x.git"
    write(project, "dev", document)
    result = invoke("validate", "--stack", "dev", "--project", project)
    assert result.exit_code == 2
    assert TOKEN not in result.output


def test_a_yaml_error_gives_line_column_and_reason(project: Path):
    write(project, "dev", "config:\n  platform:environment: dev\n  platform:repo:\n    url: x\n   branch: y\n")
    result = invoke("validate", "--stack", "dev", "--project", project)
    assert result.exit_code == 2
    (line,) = problems_of(result)
    assert line.startswith("yaml: not valid YAML at line 5, column 4: ")
    assert "expected" in line and "block mapping at line 2, column 3" in line


def test_validate_repo_without_a_directory_refuses_outside_a_config_repo_and_finds_one_inside(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("validate-repo")
    assert result.exit_code == 2
    assert "no config repo here" in result.output and "validate-repo DIR" in result.output
    from platform_kit.cli.repo import find_config_repo

    checkout = tmp_path / "config"
    (checkout / "clusters" / "dev").mkdir(parents=True)
    (checkout / ".platform-kit").mkdir()
    assert find_config_repo(checkout / "clusters" / "dev") == checkout
    assert find_config_repo(checkout) == Path(".")
    assert find_config_repo(tmp_path) is None


def test_plural():
    from platform_kit.text import plural

    assert [plural(n, "file") for n in (0, 1, 2)] == ["0 files", "1 file", "2 files"]
    assert plural(1, "entry", "entries") == "1 entry" and plural(3, "entry", "entries") == "3 entries"


def test_two_stacks_with_one_environment_are_refused_naming_both_files(project: Path, tmp_path: Path):
    first = write(project, "dev", stack("dev"))
    second = write(project, "dev2", stack("dev"))
    write(project, "prod", stack("prod"))
    for name, this, other in (("dev", first, second), ("dev2", second, first)):
        result = invoke("validate", "--stack", name, "--project", project)
        assert result.exit_code == 2, result.output
        assert f"invalid config in {this} " in result.output
        assert f"platform.environment: `dev` is also the environment of {other}" in result.output
    assert invoke("validate", "--stack", "prod", "--project", project).exit_code == 0
    rendered = invoke("render", "--stack", "dev2", "--out", tmp_path / "out", "--project", project)
    assert rendered.exit_code == 2 and str(first) in rendered.output
    seeded = invoke("seed", "--stack", "dev", "--plan", "--project", project)
    assert seeded.exit_code == 2 and str(second) in seeded.output


def test_ci_run_reads_the_quick_start_as_exactly_two_commands_with_continuations_joined():
    import re
    import subprocess

    root = Path(__file__).resolve().parent.parent
    program = re.search(r"awk '\n(.*?)\n' README.md\)", (root / ".ci" / "run").read_text(), re.S).group(1)
    out = subprocess.run(["awk", program, "README.md"], cwd=root, capture_output=True, text=True, check=True).stdout
    commands = out.splitlines()
    assert len(commands) == 2, commands
    assert "\\" not in commands[0] and "  " not in commands[0]
    assert " -q " not in commands[0] and "pip install --progress-bar on -e '.[test]' && " in commands[0]
    assert commands[0].endswith("platform-kit seed --stack local")


def test_progress_goes_to_stderr_only_on_a_terminal(monkeypatch, capsys):
    import sys

    from platform_kit import cli

    cli.progress("running the stack program of dev")
    assert capsys.readouterr() == ("", "")  # not a terminal: nothing (tests, CI logs, pipes)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    cli.progress("publishing 3 files")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == "... publishing 3 files\n"
