"""`platform-kit insights` end to end on the synthetic history (insights_support): the table, the JSON
and the HTML report carry the known answers; remotes are read over a real `git daemon` and smart HTTP
(credentials from the stack, as `seed` uses them); user errors exit 2 in one line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from insights_support import KNOWN, KNOWN_FAILURES, KNOWN_LIBRARY, KNOWN_WEEKS, build_history, clone_bare
from stack_support import existing_cluster_stack, project_skeleton

from platform_kit.cli import main
from platform_kit.testing.git_server import HTTP_TOKEN, free_port


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("insights-cli") / "config"
    return path, build_history(path)


def invoke(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(main, ["insights", *map(str, args)], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real process, so 'one line, no traceback' is proven on what a person sees."""
    return subprocess.run(
        [sys.executable, "-m", "platform_kit.cli", "insights", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def _check_json(figures: dict, known: tuple, weeks: int = 3) -> None:
    deployments, median, p90, failures, restore_median, restore_mean = known
    assert figures["deployments"] == deployments
    assert figures["deploymentsPerWeek"] == round(deployments / weeks, 3)
    assert figures["leadTimeSeconds"] == {"median": median, "p90": p90}
    assert figures["failures"] == failures
    assert figures["changeFailureRate"] == round(failures / deployments, 4)
    assert figures["timeToRestoreSeconds"] == {"median": restore_median, "mean": restore_mean}


def check_known_json(document: dict, sha: dict[str, str], environments=("dev", "prod", "staging"), teams=None) -> None:
    assert document["format"] == 1 and document["branch"] == "main" and document["head"] == sha["L13"]
    assert document["period"] == {"start": "2024-01-01T00:00:00Z", "end": "2024-01-21T00:00:00Z", "weeks": 3}
    assert list(document["environments"]) == list(environments)
    for env in environments:
        _check_json(document["environments"][env], KNOWN["environments"][env])
    for team, known in (teams or KNOWN["teams"]).items():
        _check_json(document["teams"][team], known)
    _check_json(document["platform"], KNOWN["platform"])
    if len(environments) == 3:
        _check_json(document["totals"], KNOWN["totals"])
    library = {env: tuple(v.values()) for env, v in document["library"].items()}
    assert library == {env: KNOWN_LIBRARY[env] for env in environments}
    weeks = {(w["week"], w["environment"]): (w["deployments"], w["failures"]) for w in document["weeks"]}
    assert weeks == {key: value for key, value in KNOWN_WEEKS.items() if key[1] in environments}
    failed = {c["sha"]: (c["restoredBy"], c["restoredHow"], c["timeToRestoreSeconds"]) for c in document["changes"]}
    failed = {key: value for key, value in failed.items() if value[0] is not None}
    assert failed == {sha[name]: (sha[by], how, s) for name, (by, how, s) in KNOWN_FAILURES.items()}
    assert len(document["changes"]) == 18


def test_json_report_matches_the_known_answers(synthetic):
    path, sha = synthetic
    result = invoke(path, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["layout"] == "conventions" and document["windowSeconds"] == 7 * 86400
    check_known_json(document, sha)


def test_table_report_matches_the_known_answers(synthetic):
    path, _ = synthetic
    result = invoke(path)
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line and line[0] != " "}
    # name: deploys, /week, lead p50, lead p90, failed, CFR, restore p50
    assert rows["dev"] == ["7", "2.3", "30m", "6h", "1", "14%", "30m"]
    assert rows["staging"] == ["6", "2.0", "1h", "45m", "1d", "1", "17%", "4h"]  # 1h 45m splits in two
    assert rows["prod"] == ["9", "3.0", "30m", "1d", "2", "22%", "3h"]
    assert rows["all"] == ["13", "4.3", "1h", "23h", "3", "23%", "2h"]
    assert rows["payments"] == ["5", "1.7", "2h", "1d", "2", "40%", "2h", "15m"]
    assert rows["search"] == ["3", "1.0", "3h", "5h", "0", "0%", "-"]
    assert rows["(platform)"] == ["5", "1.7", "30m", "23h", "1", "20%", "2h"]
    assert "made by platform-kit (not counted above): dev: 1 seed, 1 upgrade; prod: 1 seed, 0 upgrades" in result.stdout


def test_html_report_is_self_contained_with_plots_and_the_known_answers(synthetic, tmp_path):
    path, _ = synthetic
    out = tmp_path / "report.html"
    proc = run_cli(path, "--format", "html", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"wrote {out} (html, 13 deployments)"
    page = out.read_text()
    assert page.count("<svg") == 4
    for caption in ("deployments to each environment", "first commit to the branch", "per environment", "team"):
        assert caption in page
    # nothing is fetched from elsewhere: no script, no linked stylesheet, image or font
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    # the headline cards and the tables carry the known figures
    assert "<b>4.3</b><span>deployments per week (13 in all)</span>" in page
    assert "<b>23%</b><span>change failure rate (3 failed)</span>" in page
    assert "<td>staging</td><td>6</td><td>2.0</td><td>1h 45m</td><td>1d</td><td class=failed>1</td>" in page
    for failed in ("Enforce policies in prod", "Add payments network policy", "Tune payments alerts"):
        assert f"<tr><td>{failed}</td>" in page
    assert "revert: Revert &quot;Enforce policies in prod&quot;" in page
    assert "<td>dev</td><td>1</td><td>1</td><td>0</td>" in page  # platform-kit: seeds, upgrades, failed
    # the same history renders to the same bytes
    again = invoke(path, "--format", "html")
    assert again.exit_code == 0 and again.stdout == page


def test_window_and_since_options(synthetic):
    path, _ = synthetic
    wide = json.loads(invoke(path, "--format", "json", "--window", "12d").stdout)
    assert wide["windowSeconds"] == 12 * 86400 and wide["totals"]["failures"] == 4
    late = json.loads(invoke(path, "--format", "json", "--since", "2024-01-08").stdout)
    assert late["totals"]["deployments"] == 9 and late["landingsBeforePeriod"] == 7
    assert late["period"]["start"] == "2024-01-08T00:00:00Z"


def test_remote_over_git_daemon_reads_the_same_history(synthetic, git_daemon):
    path, sha = synthetic
    clone_bare(path, git_daemon.root / "config.git")
    url = git_daemon.url("config")
    result = invoke(url, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # git daemon does not allow `filter blob:none`: the full fetch is said nothing about
    document = json.loads(result.stdout)
    assert document["source"] == url
    check_known_json(document, sha)
    local = json.loads(invoke(path, "--format", "json").stdout)
    assert {**document, "source": None} == {**local, "source": None}


def _project(tmp_path: Path, url: str, credentials: dict) -> Path:
    project = project_skeleton(tmp_path / "project")
    teams = [
        {"name": "payments", "owners": ["p"]},
        {"name": "search", "owners": ["s"]},
        {"name": "billing", "owners": ["b"]},
    ]
    for env in ("dev", "prod"):
        document = existing_cluster_stack(env)
        document["config"]["platform:repo"].update(url=url, credentials=credentials)
        document["config"]["platform:teams"] = teams
        (project / "stacks" / f"Pulumi.{env}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return project


def test_stacks_name_the_environments_and_teams_and_reach_the_remote_with_their_credentials(
    synthetic, git_http_server, tmp_path
):
    path, sha = synthetic
    clone_bare(path, git_http_server.root / "config.git")
    credentials = {"kind": "token", "username": "git", "tokenEnv": "PK_INSIGHTS_TOKEN"}
    project = _project(tmp_path, git_http_server.url("config"), credentials)
    args = ("--stack", "dev", "--stack", "prod", "--project", project, "--format", "json")

    wrong = run_cli(*args, env={"PK_INSIGHTS_TOKEN": "wrong-token-DO-NOT-PRINT"})
    assert wrong.returncode == 1, wrong.stderr
    assert wrong.stderr.startswith("error: ") and wrong.stderr.count("\n") == 1
    assert "authentication failed" in wrong.stderr and "DO-NOT-PRINT" not in wrong.stderr + wrong.stdout

    result = invoke(*args, env={"PK_INSIGHTS_TOKEN": HTTP_TOKEN})
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["layout"] == "stack dev, prod"
    # without staging, search loses L12 (staging only): L5 3h and L14 0 remain
    search = (2, 5400, 10800, 0, None, None)
    check_known_json(document, sha, ("dev", "prod"), {"payments": KNOWN["teams"]["payments"], "search": search})
    assert document["teams"]["billing"]["deployments"] == 0  # configured, never changed
    assert HTTP_TOKEN not in result.output

    missing = run_cli(*args)
    assert missing.returncode == 2 and "PK_INSIGHTS_TOKEN is not set" in missing.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("{missing}",), "is not a directory"),
        (("{plain}",), "is not a git repository"),
        (("{repo}", "--branch", "release"), "branch 'release' not found"),
        (("{repo}", "--window", "soon"), "--window: 'soon' is not a duration"),
        (("{repo}", "--since", "yesterday-ish"), "--since: 'yesterday-ish' is neither a date"),
    ],
)
def test_user_errors_exit_2_in_one_line(synthetic, tmp_path, args, message):
    path, _ = synthetic
    (tmp_path / "plain").mkdir()
    values = {"missing": tmp_path / "missing", "plain": tmp_path / "plain", "repo": path}
    proc = run_cli(*(a.format(**values) for a in args))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_an_unknown_stack_is_a_config_error(tmp_path):
    proc = run_cli("--stack", "nope", "--project", tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith("error: invalid config") and "Traceback" not in proc.stderr
    assert f"no Pulumi.yaml in {tmp_path}" in proc.stderr


def test_unreachable_remote_exits_1_in_one_line():
    proc = run_cli(f"git://127.0.0.1:{free_port()}/config.git", env={"PLATFORM_KIT_NETWORK_TIMEOUT": "20"})
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_html_without_matplotlib_names_the_extra(synthetic, monkeypatch):
    path, _ = synthetic
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    result = invoke(path, "--format", "html")
    assert result.exit_code == 2
    assert "pip install 'platform-kit[insights]'" in result.stderr
    assert invoke(path, "--format", "json").exit_code == 0  # the table and JSON need no plotting


def test_a_clone_of_depth_1_is_a_user_error(synthetic, tmp_path):
    path, _ = synthetic
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{path}", str(tmp_path / "one")], check=True)
    proc = run_cli(tmp_path / "one")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "shallow clone of depth 1" in proc.stderr
