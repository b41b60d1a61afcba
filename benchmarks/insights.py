"""`platform-kit insights` over a 10,000-commit, 50-team config repo, against `git log --numstat`, in one run.

    python benchmarks/insights.py [--commits 10000] [--teams 50] [--runs 3] [--cache DIR] [--html]

The history is generated once with `git fast-import` (deterministic: a fixed random seed) and kept
under DIR (default: <tmp>/platform-kit-bench) for the next run. It has three environments,
platform-kit's seeds and merged upgrades, pull-request merges of 1-3 commits, squash merges,
direct pushes, hotfixes and reverts, each team changing its own directories.

Each measured command is a fresh process timed with time.perf_counter() around subprocess.run
(interpreter start-up included); the two alternate so background load hits both alike. Printed:
min and median of each, and the ratio insights / git log.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from platform_kit.publish.publisher import DEFAULT_AUTHOR  # noqa: E402

ENVIRONMENTS = ("dev", "staging", "prod")
START = 1672617600  # 2023-01-02T00:00:00Z, a Monday
FORMAT = 2
"""Bump when the generated history changes, so a cached one is rebuilt."""


class Stream:
    """A `git fast-import` stream: commits with inline file contents and explicit dates."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.mark = 0
        self.commits = 0

    def commit(
        self,
        ref: str,
        message: str,
        files: dict[str, str],
        at: int,
        authored: int,
        parent: int | None,
        merge: int | None = None,
        author: str = "Dev <dev@example.com>",
    ) -> int:
        self.mark += 1
        self.commits += 1
        data = message.encode()
        lines = [
            f"commit {ref}\nmark :{self.mark}\n".encode(),
            f"author {author} {authored} +0000\ncommitter {author} {at} +0000\n".encode(),
            b"data %d\n%s\n" % (len(data), data),
        ]
        if parent is not None:
            lines.append(f"from :{parent}\n".encode())
        if merge is not None:
            lines.append(f"merge :{merge}\n".encode())
        for path, content in files.items():
            body = content.encode()
            lines.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(body), body))
        self.parts.append(b"".join(lines) + b"\n")
        return self.mark

    def bytes(self) -> bytes:
        return b"".join(self.parts)


def generate(commits: int, teams: int, seed: int = 19) -> tuple[bytes, int]:
    """The fast-import stream of a history of `commits` commits; returns it and the landing count."""
    rng = random.Random(seed)
    stream, version = Stream(), 0
    names = [f"team-{n:02d}" for n in range(teams)]
    at = START

    def content(path: str) -> str:
        nonlocal version
        version += 1
        return f"# {path}\nrevision: {version}\n"

    def team_path(team: str) -> str:
        env = rng.choice((*ENVIRONMENTS, "base"))
        if env == "base" or rng.random() < 0.6:
            return f"teams/{team}/{env}/deploy-{rng.randrange(4)}.yaml"
        return f"clusters/{env}/teams/{team}/quota.yaml"

    head, landings, titles = None, 0, []
    for env in ENVIRONMENTS:  # platform-kit seeds every environment
        files = {f"clusters/{env}/kustomization.yaml": content(env), f".platform-kit/seed-{env}.json": "{}\n"}
        files |= {f"clusters/{env}/teams/{t}/quota.yaml": content(t) for t in names}
        files |= {f"teams/{t}/{env}/deploy-0.yaml": content(t) for t in names}
        head = stream.commit("refs/heads/main", f"platform-kit: seed {env}", files, at, at, head, author=DEFAULT_AUTHOR)
        landings += 1
        at += 600
    pr = 0
    while stream.commits < commits:
        at += rng.randrange(600, 5400)
        roll = rng.random()
        team = rng.choice(names)
        if roll < 0.55:  # a pull request of 1-3 commits, merged with a merge commit
            pr += 1
            branch_files: dict[str, str] = {}
            tip, authored = head, at - rng.randrange(3600, 5 * 86400)
            for n in range(rng.randint(1, 3)):
                change = {team_path(team): content(team)}
                branch_files |= change
                tip = stream.commit("refs/heads/topic", f"{team}: step {n}", change, authored + n * 900, authored, tip)
            title = f"{team}: change {pr}"
            message = f"Merge pull request #{pr} from acme/{team}/change-{pr}\n\n{title}"
            head = stream.commit("refs/heads/main", message, branch_files, at, at, head, merge=tip)
        elif roll < 0.80:  # a squash merge
            pr += 1
            title = f"{team}: squashed {pr}"
            head = stream.commit(
                "refs/heads/main", f"{title} (#{pr})", {team_path(team): content(team)}, at, at - 7200, head
            )
        elif roll < 0.88:  # a platform change to every environment or one
            where = rng.choice(("infrastructure/controllers/charts.yaml", "infrastructure/prod/configs/policy.yaml"))
            title = f"platform: tune {where.split('/')[1]}"
            head = stream.commit("refs/heads/main", title, {where: content(where)}, at, at - 1800, head)
        elif roll < 0.94 and titles:  # a hotfix of something recent
            title = f"hotfix: {team} config"
            head = stream.commit("refs/heads/main", title, {team_path(team): content(team)}, at, at, head)
        elif roll < 0.985 and titles:  # a revert of a recent change, by title
            title = f'Revert "{rng.choice(titles[-20:])}"'
            head = stream.commit("refs/heads/main", title, {team_path(team): content(team)}, at, at, head)
        else:  # a platform-kit upgrade proposal, merged by a person
            env = rng.choice(ENVIRONMENTS)
            branch = f"platform-kit/upgrade-1.{landings}.0-{env}"
            files = {f"clusters/{env}/kustomization.yaml": content(env)}
            tip = stream.commit(
                "refs/heads/topic", f"platform-kit: upgrade {env} to 1.{landings}.0 (templates 5)", files,
                at - 3600, at - 3600, head, author=DEFAULT_AUTHOR,
            )  # fmt: skip
            title = f"Merge pull request #{pr + 1} from acme/{branch}"
            pr += 1
            head = stream.commit("refs/heads/main", f"{title}\n\nUpgrade {env}", files, at, at, head, merge=tip)
        titles.append(title)
        landings += 1
    return stream.bytes(), landings


def build(path: Path, commits: int, teams: int) -> int:
    """The bare repository at `path` (generated unless cached); returns the landing count."""
    marker = path / "platform-kit-bench.json"
    wanted = {"format": FORMAT, "commits": commits, "teams": teams}
    if marker.exists():
        saved = json.loads(marker.read_text())
        if {k: saved.get(k) for k in wanted} == wanted:
            return saved["landings"]
    subprocess.run(["rm", "-rf", str(path)], check=True)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
    started = time.perf_counter()
    data, landings = generate(commits, teams)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=data, check=True)
    subprocess.run(["git", "update-ref", "-d", "refs/heads/topic"], cwd=path, check=True)
    subprocess.run(["git", "gc", "-q"], cwd=path, check=True)
    print(f"generated {commits} commits ({landings} landings, {teams} teams) in {time.perf_counter() - started:.1f} s")
    marker.write_text(json.dumps({**wanted, "landings": landings}))
    return landings


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "platform-kit-bench")
    parser.add_argument("--html", action="store_true", help="Also time the HTML report (plots included).")
    args = parser.parse_args()
    repo = args.cache / f"insights-{args.commits}-{args.teams}.git"
    landings = build(repo, args.commits, args.teams)
    count = subprocess.run(["git", "rev-list", "--count", "main"], cwd=repo, capture_output=True, text=True, check=True)
    print(f"history: {repo} ({count.stdout.strip()} commits, {landings} landings on main, {args.teams} teams)")
    insights = [sys.executable, "-m", "platform_kit.cli", "insights", str(repo), "--format", "json"]
    commands = {
        "platform-kit insights --format json": insights,
        "git log --numstat": ["git", "-C", str(repo), "log", "--numstat", "main"],
    }
    if args.html:
        commands["platform-kit insights --format html"] = [*insights[:-1], "html"]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            times[name].append(timed(command))
    for name, values in times.items():
        print(f"{name:40s} min {min(values):6.2f} s  median {statistics.median(values):6.2f} s  ({args.runs} runs)")
    ours, theirs = (statistics.median(times[name]) for name in list(commands)[:2])
    print(f"ratio insights / git log --numstat (medians): {ours / theirs:.2f}")
    report = json.loads(subprocess.run(insights, capture_output=True, text=True, check=True).stdout)
    totals = report["totals"]
    print(
        f"report: {totals['deployments']} deployments, {len(report['teams'])} teams, "
        f"{totals['failures']} failures, lead time p50 {totals['leadTimeSeconds']['median']:.0f} s"
    )


if __name__ == "__main__":
    main()
