"""Delivery insight over a synthetic history with known answers (insights_support): landings, kinds,
environments, lead times, failures, figures per environment and team, the window, --since, layouts."""

from __future__ import annotations

from pathlib import Path

import pytest
from dulwich.repo import Repo
from factories import make_config
from insights_support import (
    KNOWN,
    KNOWN_ENVS,
    KNOWN_FAILURES,
    KNOWN_KINDS,
    KNOWN_LEAD,
    KNOWN_LIBRARY,
    KNOWN_ORDER,
    KNOWN_WEEKS,
    T0,
    D,
    H,
    build_history,
)
from teams_support import PAYMENTS, SEARCH, TEAMS_CONFIG

from platform_kit.insights import (
    Layout,
    compute_insights,
    insights_of,
    layout_from_configs,
    layout_from_paths,
    messages,
    read_history,
    scope_of,
)
from platform_kit.insights import library as lib
from platform_kit.insights.metrics import Figures, percentile
from platform_kit.insights.units import format_duration, parse_duration, parse_since


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("insights") / "config"
    return path, build_history(path)


@pytest.fixture(scope="module")
def history(synthetic):
    path, _ = synthetic
    repo = Repo(str(path))
    yield read_history(repo.object_store, repo.refs[b"refs/heads/main"], "main")
    repo.close()


def _layout(history) -> Layout:
    return layout_from_paths(p for landing in history.landings for p in landing.paths)


def _check(figures: Figures, known: tuple, weeks: int = 3) -> None:
    deployments, median, p90, failures, restore_median, restore_mean = known
    assert figures.deployments == deployments
    assert figures.per_week == pytest.approx(deployments / weeks)
    assert figures.lead_time_median == median
    assert figures.lead_time_p90 == p90
    assert figures.failures == failures
    assert figures.change_failure_rate == pytest.approx(failures / deployments)
    assert figures.restore_median == restore_median
    assert figures.restore_mean == restore_mean


def test_landings_are_the_first_parent_chain_with_what_each_brought(history, synthetic):
    _, sha = synthetic
    assert [landing.sha for landing in history.landings] == [sha[name] for name in KNOWN_ORDER]
    by = {landing.sha: landing for landing in history.landings}
    pr1 = by[sha["L4"]]
    assert (pr1.merge, pr1.pull_request, pr1.branch, pr1.commits) == (True, 1, "feature/payments-quota", 3)
    assert pr1.title == "Raise payments quota in dev"
    assert pr1.paths == ("clusters/dev/teams/payments/quota.yaml", "teams/payments/dev/kustomization.yaml")
    squash = by[sha["L5"]]
    assert (squash.merge, squash.pull_request, squash.title) == (False, 2, "Add search dashboards")
    # the revert commit inside PR #4 names PR #3's merge commit; the re-land names PR #4's revert commit
    assert by[sha["L7"]].reverts == (sha["L6"],)
    assert history.resolve(by[sha["L16"]].reverts[0]) == sha["L7"]
    assert history.resolve(sha["L4"][:10]) == sha["L4"]
    assert by[sha["L18"]].fixes == (sha["L17"],)
    assert by[sha["L1"]].paths[0] == ".platform-kit/seed-dev.json"


def test_kinds_environments_and_lead_times_match_the_known_answers(history, synthetic):
    _, sha = synthetic
    report = compute_insights(history, _layout(history))
    by = {change.landing.sha: change for change in report.changes}
    for name in KNOWN_ORDER:
        change = by[sha[name]]
        assert change.kind == KNOWN_KINDS[name], name
        assert sorted(change.environments) == KNOWN_ENVS[name], name
        if name in KNOWN_LEAD:
            assert change.lead_time == KNOWN_LEAD[name], name
    assert by[sha["L4"]].teams == {"payments"} and not by[sha["L4"]].platform
    assert by[sha["L10"]].teams == set() and by[sha["L10"]].platform
    assert by[sha["L5"]].teams == {"search"}


def test_failures_are_reverts_and_fixes_within_the_window(history, synthetic):
    _, sha = synthetic
    report = compute_insights(history, _layout(history))
    failed = {change.landing.sha: change.failure for change in report.changes if change.failure is not None}
    expected = {sha[name]: (sha[by], how, seconds) for name, (by, how, seconds) in KNOWN_FAILURES.items()}
    assert {key: (f.by, f.how, f.seconds) for key, f in failed.items()} == expected
    # not failures: the revert 11 days later (L13 of L10), the fix with nothing recent to blame (L14),
    # the re-land that reverts a revert (L16 of L7)
    assert sha["L10"] not in failed and sha["L5"] not in failed and sha["L7"] not in failed


def test_figures_per_environment_team_and_in_all(history):
    report = compute_insights(history, _layout(history))
    assert report.weeks == 3 and report.start == T0 and report.end == T0 + 20 * D
    assert list(report.environments) == ["dev", "prod", "staging"]
    for env, known in KNOWN["environments"].items():
        _check(report.environments[env], known)
    assert list(report.teams) == ["payments", "search"]
    for team, known in KNOWN["teams"].items():
        _check(report.teams[team], known)
    _check(report.platform, KNOWN["platform"])
    _check(report.totals, KNOWN["totals"])


def test_seeds_and_upgrades_by_platform_kit_are_reported_apart(history):
    report = compute_insights(history, _layout(history))
    library = {env: (f.seeds, f.upgrades, f.failures) for env, f in report.library.items()}
    assert library == KNOWN_LIBRARY
    people = [c for c in report.changes if c.is_deployment and not c.by_library]
    assert all(c.kind not in ("seed", "upgrade") for c in people)


def test_weekly_trend(history):
    report = compute_insights(history, _layout(history))
    weeks = {(w.start.isoformat(), w.environment): (w.deployments, w.failures) for w in report.trend}
    assert weeks == KNOWN_WEEKS
    dev_first = next(w for w in report.trend if w.environment == "dev" and w.start.isoformat() == "2024-01-01")
    assert dev_first.lead_time_median == (6 * H + 3 * H) / 2


def test_a_longer_window_turns_the_late_revert_into_a_failure(history, synthetic):
    _, sha = synthetic
    report = compute_insights(history, _layout(history), window=parse_duration("12d"))
    failed = {change.landing.sha: change.failure for change in report.changes if change.failure is not None}
    assert failed[sha["L10"]].by == sha["L13"] and failed[sha["L10"]].seconds == 11 * D
    assert failed[sha["L10"]].how == "revert"
    assert sha["L5"] not in failed  # the fix of L14 is 12d21h after L5, beyond 12 days
    assert report.totals.failures == 4
    wider = compute_insights(history, _layout(history), window=parse_duration("14d"))
    failed = {change.landing.sha: change.failure for change in wider.changes if change.failure is not None}
    assert failed[sha["L5"]].by == sha["L14"] and failed[sha["L5"]].how == "fix-forward"
    assert failed[sha["L5"]].seconds == 13 * D - 3 * H


def test_since_reports_the_later_landings_and_still_reads_the_earlier(history):
    report = compute_insights(history, _layout(history), since=parse_since("2024-01-08"))
    assert report.landings_before == 7  # L1-L7
    assert report.weeks == 2
    assert report.totals.deployments == 9  # L8 L9 L10 L12 L13 L14 L16 L17 L18
    assert report.totals.failures == 2  # L8 (by L9) and L17 (by L18)
    assert {env: (f.seeds, f.upgrades) for env, f in report.library.items()} == {
        "dev": (0, 1),
        "prod": (0, 0),
        "staging": (0, 0),
    }
    # L16 re-lands PR #3 (read before the period): still a revert of a revert, no failure
    assert report.environments["prod"].failures == 1


def test_stack_configs_name_the_environments_teams_and_their_directory():
    dev = make_config(TEAMS_CONFIG, cluster="eks", teams=[PAYMENTS, SEARCH])
    moved = make_config(TEAMS_CONFIG, cluster="eks", teams=[PAYMENTS]).model_copy(update={"environment": "prod"})
    moved = moved.model_copy(update={"repo": moved.repo.model_copy(update={"path": "clusters/eu/prod"})})
    layout = layout_from_configs([dev, moved], ["clusters/dev/a.yaml", "clusters/eu/prod/a.yaml", "clusters/qa/a.yaml"])
    assert dict(layout.environments) == {"dev": "clusters/dev", "prod": "clusters/eu/prod"}
    assert layout.others == {"eu", "qa"}
    assert scope_of("infrastructure/qa/configs/a.yaml", layout).environments == set()
    assert layout.teams == ("payments", "search") and layout.origin == "stack dev, prod"
    assert scope_of("clusters/eu/prod/teams/payments/quota.yaml", layout).environments == {"prod"}
    assert scope_of("clusters/eu/prod/teams/payments/quota.yaml", layout).team == "payments"
    # the conventions alone would read `eu` as an environment: the stack config is what knows better
    assert list(layout_from_paths(["clusters/eu/prod/kustomization.yaml"]).environments) == ["eu"]


@pytest.mark.parametrize(
    ("path", "envs", "team"),
    [
        ("clusters/dev/kustomization.yaml", {"dev"}, None),
        ("clusters/dev/teams/payments/quota.yaml", {"dev"}, "payments"),
        ("clusters/dev/teams.yaml", {"dev"}, None),
        ("infrastructure/prod/configs/policy.yaml", {"prod"}, None),
        ("infrastructure/controllers/eso.yaml", {"dev", "prod"}, None),
        ("infrastructure/policies/policies.yaml", {"dev", "prod"}, None),
        ("apps/dev/kustomization.yaml", {"dev"}, None),
        ("apps/base/kustomization.yaml", {"dev", "prod"}, None),
        ("projects/kustomization.yaml", {"dev", "prod"}, None),
        ("teams/search/base/kustomization.yaml", {"dev", "prod"}, "search"),
        ("teams/search/prod/kustomization.yaml", {"prod"}, "search"),
        (".platform-kit/seed-prod.json", {"prod"}, None),
        ("teams/search/README.md", set(), None),
        ("README.md", set(), None),
        (".github/workflows/platform-config.yaml", set(), None),
        ("clusters/qa/kustomization.yaml", set(), None),
        # qa is in the repo but not in the report (a stack layout without it): its directories reach nothing
        ("infrastructure/qa/configs/policy.yaml", set(), None),
        ("teams/search/qa/kustomization.yaml", set(), None),
        ("apps/qa/kustomization.yaml", set(), None),
    ],
)
def test_scope_of_a_path(path, envs, team):
    layout = Layout({"dev": "clusters/dev", "prod": "clusters/prod"}, "stack dev, prod", others=frozenset({"qa"}))
    scope = scope_of(path, layout)
    assert (set(scope.environments), scope.team) == (envs, team)


def test_library_subjects_are_the_ones_platform_kit_writes():
    from platform_kit.gitops.seed import SEED_MESSAGE
    from platform_kit.publish.record import SeedRecord
    from platform_kit.publish.upgrade import SeedPlan, proposal_branch, proposal_message

    seed = SEED_MESSAGE.format(environment="prod")
    assert lib.subject_kind(seed) == "seed" and lib.library_environment(seed) == "prod"
    plan = SeedPlan((), ("a.yaml",), (), (), SeedRecord("dev", "1", "2"), False, None, templates_changed=True)
    upgrade = proposal_message(plan, "dev", "1.2.0", "5")
    assert lib.subject_kind(upgrade + " (#9)") == "upgrade" and lib.library_environment(upgrade) == "dev"
    config_change = proposal_message(
        SeedPlan((), ("a.yaml",), (), (), SeedRecord("dev", "1", "2"), False, None, False), "qa-1", "1.2.0", "5"
    )
    assert lib.subject_kind(config_change) == "upgrade" and lib.library_environment(config_change) == "qa-1"
    assert lib.branch_kind(proposal_branch(plan, {"a.yaml": b"x"}, "dev", "1.2.0")) == "upgrade"
    no_templates = SeedPlan((), ("a.yaml",), (), (), SeedRecord("dev", "1", "2"), False, None, False)
    assert lib.branch_kind(proposal_branch(no_templates, {"a.yaml": b"x"}, "dev", "1.2.0")) == "upgrade"
    assert lib.subject_kind("Seed the cluster") is None and lib.branch_kind("feature/x") is None


@pytest.mark.parametrize(
    ("message", "merge", "title", "number", "branch"),
    [
        ("Merge pull request #12 from acme/feat/x\n\nAdd X", True, "Add X", 12, "feat/x"),
        ("Merge branch 'feat-y' into 'main'\n\nAdd Y\n\nSee merge request acme/config!34", True, "Add Y", 34, "feat-y"),
        ("Merge branch 'hotfix/z'", True, "Merge branch 'hotfix/z'", None, "hotfix/z"),
        ("Merged in feat-q (pull request #5)\n\nAdd Q", True, "Add Q", 5, "feat-q"),
        ("Merged PR 77: Add R", True, "Add R", 77, None),
        ("Add S (#8)", False, "Add S", 8, None),
        ("Add T", False, "Add T", None, None),
    ],
)
def test_merge_metadata(message, merge, title, number, branch):
    info = messages.merge_info(message, merge)
    assert (info.title, info.pull_request, info.branch) == (title, number, branch)


@pytest.mark.parametrize(
    ("title", "branch", "fix"),
    [
        ("fix: wrong port", None, True),
        ("fix(search)!: labels", None, True),
        ("hotfix: DNS", None, True),
        ("[hotfix] DNS", None, True),
        ("Emergency hot-fix for DNS", None, True),
        ("Bump chart", "hotfix/dns", True),
        ("Bump chart", "bugfix-12", True),
        ("Fix typo in docs", None, False),
        ("Add fixtures", "feature/fixtures", False),
        ("prefix: something", None, False),
    ],
)
def test_fix_markers(title, branch, fix):
    assert messages.is_fix(title, branch) is fix


def test_revert_references():
    text = 'Revert "Add X"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567, reversing\nchanges.'
    assert messages.reverted_shas(text) == ["0123456789abcdef0123456789abcdef01234567"]
    assert messages.reverted_title('Revert "Add X"') == "Add X" and messages.reverted_title("Add X") is None


def test_units():
    assert parse_duration("36h") == 36 * H and parse_duration("2w") == 14 * D and parse_duration("90m") == 5400
    for bad in ("7", "0d", "-1d", "seven days"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    assert parse_since("2024-01-08") == T0 + 7 * D
    assert parse_since("2024-01-08T12:00+02:00") == T0 + 7 * D + 10 * H
    with pytest.raises(ValueError):
        parse_since("last tuesday")
    assert [format_duration(s) for s in (None, 0, 1800, 6300, 3 * H, 26 * H, 2 * D)] == [
        "-",
        "0m",
        "30m",
        "1h 45m",
        "3h",
        "1d 2h",
        "2d",
    ]
    assert percentile([5.0, 1.0, 3.0], 0.9) == 5.0 and percentile([], 0.5) is None


def test_a_local_clone_reads_origins_default_branch(synthetic, tmp_path):
    from platform_kit.testing.git_server import git

    path, sha = synthetic
    git("clone", "-q", str(path), str(tmp_path / "clone"))
    git("checkout", "-q", "-b", "scratch", cwd=tmp_path / "clone")
    git("branch", "-q", "-D", "main", cwd=tmp_path / "clone")  # only origin/main is left
    report, display = insights_of(str(tmp_path / "clone"))
    assert report.branch == "main" and report.head == sha["L13"] and report.totals.deployments == 13


def test_a_shallow_clone_gives_the_landings_after_its_oldest_commit(synthetic, tmp_path):
    from platform_kit.testing.git_server import git

    path, sha = synthetic
    git("clone", "-q", "--depth", "4", f"file://{path}", str(tmp_path / "shallow"))
    report, _ = insights_of(str(tmp_path / "shallow"))
    full, _ = insights_of(str(path))
    seen = [change.landing.sha for change in report.changes]
    assert 1 <= len(seen) < len(KNOWN_ORDER) and seen == [sha[name] for name in KNOWN_ORDER[-len(seen) :]]
    expected = {c.landing.sha: (c.kind, c.environments, c.landing.paths) for c in full.changes}
    assert all((c.kind, c.environments, c.landing.paths) == expected[c.landing.sha] for c in report.changes)
