"""Benchmark: seeding a config repo (one commit) vs the plain git CLI, and the no-op re-seed.

    python benchmarks/seed.py [--files 100 1000 5000] [--repeat 5] [--size 1024]
    python benchmarks/seed.py --state-teams 100 500 [--baseline 3a2a173]

Starts one local ``git daemon``; for each file count N it generates an N-file
nested tree (~size bytes per file) and, R times each, pushes it into a fresh
repo with ``seed_files`` (the seed path: files + the environment's record, one
commit), with ``publish_files`` (create-only, no record) and with plain git (init
a temp work tree, write the files, ``git add -A``, ``git commit``, ``git push``).
Then it seeds again (nothing missing, record current: no commit). Prints medians
and the seed/plain-git ratio.

`--noop-teams N...` measures the no-op re-seed against the first seed of the same tree:
the dev stack's config repo with N teams is rendered (about 10 files per team), seeded
once into a fresh local bare repo (the Quick start's kind of remote; `--remote daemon` for
git daemon on 127.0.0.1) and seeded again, each in a fresh interpreter, by this checkout and
by `--noop-baseline` (a git revision, default: the last commit whose no-op re-seed re-read
the trees once per path; skipped above `--noop-baseline-max-teams`, it is quadratic), and by
plain git (first: init, add, commit, push; no-op: shallow clone, write every file,
`git add -A`, nothing to commit). One JSON line per team count with seconds and no-op/first.

`--reseed-files N` measures the re-seed of an N-file config repo (the dev stack with generated teams)
over git daemon and smart HTTP (`--reseed-remotes`), each against a server that allows object filters
(`uploadpack.allowFilter`: the partial fetch, commits and trees only) and one that does not (the
fallback: whole objects, then the object cache). Per remote and server, R times each on fresh repos, in
a fresh interpreter with its imports done (and one small warm-up seed) before anything is timed:
the first seed (empty cache), the no-op re-seed with that warm cache, with a cold (empty) cache and with
the cache off, and an additive re-seed (1% new files, cold cache). Next to them, in the same run: the
same figures by `--reseed-baseline` (a git revision: default, the last commit before the partial
fetch), and raw git: `git clone --filter=blob:none --no-checkout --depth 1` + `git ls-tree -r HEAD` of
the same repo (the floor of a no-op: one round of refs, one pack of commits and trees, a listing), and
the plain git first push. One JSON line per remote and server, medians, with no-op/first ratios and
whether the targets (no-op <= 0.25 s and <= 0.5 x first) were met; `--profile` adds cProfile's top
functions of one cold no-op re-seed per remote and server.

`--state-teams N...` measures instead the Pulumi state of the seed resource: the dev stack
with N generated teams is rendered offline, its SeedCommit is created against a local bare
repo, and the JSON size of its inputs plus outputs is printed as JSON lines, for this
checkout and side by side for `--baseline` (a git revision, exported with `git archive`;
default: the last commit whose seed kept every file's content in its inputs and outputs).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
STATE_BASELINE = "3a2a173"
NOOP_BASELINE = "f7ee19c"
"""The last commit whose no-op re-seed walked every path from the root through uncached trees."""
RESEED_BASELINE = "3b0196f"
"""The last commit whose re-seed fetched every blob of the branch head into a cold (or no) cache."""
NOOP_TARGET_SECONDS = 0.25
NOOP_TARGET_RATIO = 0.5
"""The last commit whose seed state held every file's content (inputs) and echoed it (outputs)."""

from platform_kit.publish import publish_files, seed_files  # noqa: E402
from platform_kit.testing.git_server import HTTP_TOKEN, HTTP_USER, GitDaemon, HttpGitServer  # noqa: E402

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def make_tree(n: int, size: int, seed: int = 42) -> dict[str, str]:
    """N YAML-ish files of ~size bytes in a nested layout (env/area/app/file)."""
    rng = random.Random(seed)
    files: dict[str, str] = {}
    for i in range(n):
        path = f"clusters/env-{i % 4}/area-{(i // 4) % 8}/app-{(i // 32) % 16}/res-{i:05d}.yaml"
        lines, length = [f"# resource {i}", "apiVersion: v1", "kind: ConfigMap", "data:"], 0
        while length < size:
            line = f"  key{len(lines)}: {rng.getrandbits(128):032x}"
            lines.append(line)
            length = sum(len(x) + 1 for x in lines)
        files[path] = "\n".join(lines) + "\n"
    return files


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True)


def plain_git_push(url: str, files: dict[str, str]) -> float:
    start = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="pk-bench-work-"))
    try:
        git("init", "-q", "-b", "main", cwd=work)
        for path, content in files.items():
            target = work / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        git("add", "-A", cwd=work)
        git("commit", "-q", "-m", "seed", cwd=work)
        git("push", "-q", url, "HEAD:main", cwd=work)
        return time.perf_counter() - start
    finally:
        shutil.rmtree(work, ignore_errors=True)


def timed_publish(url: str, files: dict[str, str]) -> tuple[float, str | None]:
    start = time.perf_counter()
    result = publish_files(url, files)
    return time.perf_counter() - start, result.commit


def timed_seed(url: str, files: dict[str, str]) -> tuple[float, str | None]:
    start = time.perf_counter()
    result = seed_files(url, files, environment="bench", library_version="bench", template_version="1")
    return time.perf_counter() - start, result.commit


def bench(daemon: GitDaemon, n: int, repeat: int, size: int) -> dict[str, float]:
    files = make_tree(n, size)
    seed, pub, plain, noop = [], [], [], []
    for r in range(repeat):
        for kind in ("seed", "pub", "git"):
            daemon.create_repo(f"{kind}-{n}-{r}")
        seconds, commit = timed_seed(daemon.url(f"seed-{n}-{r}"), files)
        assert commit is not None, "seed_files did not create a commit"
        seed.append(seconds)
        seconds, commit = timed_publish(daemon.url(f"pub-{n}-{r}"), files)
        assert commit is not None, "publish_files did not create a commit"
        pub.append(seconds)
        plain.append(plain_git_push(daemon.url(f"git-{n}-{r}"), files))
        seconds, commit = timed_seed(daemon.url(f"seed-{n}-{r}"), files)
        assert commit is None, "re-seed was not a no-op"
        noop.append(seconds)
    for kind, expected in (("seed", n + 1), ("pub", n), ("git", n)):  # + the seed record
        listed = subprocess.run(
            ["git", "--git-dir", str(daemon.root / f"{kind}-{n}-0.git"), "ls-tree", "-r", "--name-only", "main"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert len(listed.split()) == expected, f"{kind}: pushed tree does not hold every file"
        commits = subprocess.run(
            ["git", "--git-dir", str(daemon.root / f"{kind}-{n}-0.git"), "rev-list", "--count", "main"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert commits == "1", f"{kind}: expected one commit, found {commits}"
    return {
        "seed": statistics.median(seed),
        "publish": statistics.median(pub),
        "git": statistics.median(plain),
        "noop": statistics.median(noop),
    }


STATE = """
import json, shutil, sys, tempfile
from pathlib import Path
import yaml
root, teams = Path(sys.argv[1]).resolve(), int(sys.argv[2])
import platform_kit
assert Path(platform_kit.__file__).resolve().is_relative_to(root), platform_kit.__file__
from platform_kit.gitops.seed import _SeedProvider
from platform_kit.offline.preview import run_stack
project = Path(tempfile.mkdtemp(prefix="pk-bench-state-"))
try:
    for name in ("Pulumi.yaml", "__main__.py"):
        if (root / name).is_file():
            shutil.copy(root / name, project / name)
    shutil.copytree(root / "stacks", project / "stacks", ignore=shutil.ignore_patterns("Pulumi.*.yaml"))
    stack = yaml.safe_load((root / "stacks" / "Pulumi.dev.yaml").read_text())
    stack["config"]["platform:teams"] = [
        {"name": f"team-{i:04d}", "owners": [f"group-{i:04d}"], "size": "small"} for i in range(teams)
    ]
    (project / "stacks" / "Pulumi.bench.yaml").write_text(yaml.safe_dump(stack))
    run = run_stack(project, "bench")
    inputs = dict(run.seed().inputs)
    props = {k: v for k, v in inputs.items() if k != "__provider"} | {"url": str(project / "config.git")}
    outputs = _SeedProvider().create(props).outs | {"__provider": inputs["__provider"]}  # the host adds it
    print(json.dumps({"files": len(run.seeded_files()), "inputs": len(json.dumps(inputs)),
                      "outputs": len(json.dumps(outputs))}))
finally:
    shutil.rmtree(project, ignore_errors=True)
"""
"""Run in a fresh interpreter with `platform_kit` imported from the tree given (argv: tree, teams)."""


def state_size(tree: Path, teams: int) -> dict[str, int]:
    """Inputs and outputs (JSON bytes) of the seed of the dev stack with `teams` teams, made by `tree`'s library."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", STATE, str(tree), str(teams)], env=env, cwd=tree, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"state measurement in {tree} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def state_table(team_counts: list[int], baseline: str) -> None:
    """One JSON line per team count: this checkout's seed state vs the baseline revision's, and the ratio."""
    with tempfile.TemporaryDirectory(prefix="pk-bench-baseline-") as tmp:
        archive = subprocess.run(["git", "archive", baseline], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        for teams in team_counts:
            after, before = state_size(ROOT, teams), state_size(Path(tmp), teams)
            total_after, total_before = after["inputs"] + after["outputs"], before["inputs"] + before["outputs"]
            print(
                json.dumps(
                    {
                        "teams": teams,
                        "files": after["files"],
                        "baseline": {"revision": baseline, **before, "total": total_before},
                        "current": {**after, "total": total_after},
                        "ratio": round(total_after / total_before, 4),
                    }
                ),
                flush=True,
            )


def team_files(teams: int) -> dict[str, str]:
    """The dev stack's config repo as `render` produces it, with `teams` generated teams."""
    from platform_kit.config import parse_platform_config
    from platform_kit.repo import render_config_repo

    values = {
        "environment": "dev",
        "cluster": {
            "kind": "eks",
            "name": "platform-dev",
            "region": "eu-west-1",
            "adminPrincipalArns": ["arn:aws:iam::111122223333:role/platform-admins"],
            "nodeGroups": [{"name": "general", "instanceTypes": ["m7i.large"]}],
        },
        "gitops": {"agent": "flux"},
        "repo": {"url": "https://git.example.com/acme/platform-config.git"},
        "services": {"observability": {}, "policy": {}},
        "teams": [{"name": f"team-{i:05d}", "owners": [f"group-{i:05d}"]} for i in range(teams)],
    }
    return {m.path: m.content for m in render_config_repo(parse_platform_config(values))}


NOOP = """
import json, os, sys, tempfile, time
from pathlib import Path
root, files_json, url = Path(sys.argv[1]).resolve(), sys.argv[2], sys.argv[3]
import platform_kit
assert Path(platform_kit.__file__).resolve().is_relative_to(root), platform_kit.__file__
from platform_kit.publish import seed_files
files = json.loads(Path(files_json).read_text())
kw = dict(environment="dev", library_version="bench", template_version="1", create_local=True)
start = time.perf_counter(); first = seed_files(url, files, **kw); t_first = time.perf_counter() - start
start = time.perf_counter(); again = seed_files(url, files, **kw); t_noop = time.perf_counter() - start
assert first.commit is not None and again.commit is None, "the re-seed was not a no-op"
out = {"first": round(t_first, 3), "noop": round(t_noop, 3), "ratio": round(t_noop / t_first, 3)}
if os.environ.get("PLATFORM_KIT_CACHE_DIR") and "://" in url:
    os.environ["PLATFORM_KIT_CACHE_DIR"] = tempfile.mkdtemp(dir=os.environ["PLATFORM_KIT_CACHE_DIR"])  # empty
    start = time.perf_counter(); cold = seed_files(url, files, **kw); t_cold = time.perf_counter() - start
    assert cold.commit is None, "the re-seed was not a no-op"
    out.update(noop_cold_cache=round(t_cold, 3), cold_ratio=round(t_cold / t_first, 3))
print(json.dumps(out))
"""
"""Run in a fresh interpreter with `platform_kit` imported from the tree given (argv: tree, files.json, url).
With an object cache (network remotes): the first seed starts with an empty cache, the no-op re-seed with the
cache the first one left (warm), and `noop_cold_cache` is one more no-op re-seed with an empty cache again."""


def noop_times(tree: Path, files_json: Path, url: str, cache: Path | None = None) -> dict[str, float]:
    """First seed and no-op re-seed of the files in `files_json` into `url`, by `tree`'s library.

    ``cache``: an empty directory for the remote object cache; None turns the cache off."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PLATFORM_KIT_CACHE": "on" if cache else "off"}
    env.pop("PLATFORM_KIT_CACHE_DIR", None)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        env["PLATFORM_KIT_CACHE_DIR"] = str(cache)
    out = subprocess.run(
        [sys.executable, "-c", NOOP, str(tree), str(files_json), url], env=env, cwd=tree, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"no-op measurement in {tree} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def plain_git_noop(url: str, files: dict[str, str]) -> float:
    """The plain git equivalent of a no-op re-seed: shallow clone, write the files, find nothing to commit."""
    start = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="pk-bench-noop-"))
    try:
        source = Path(url).as_uri() if "://" not in url else url  # --depth needs a URL for a local repo
        subprocess.run(["git", "clone", "-q", "--depth", "1", source, str(work)], env=GIT_ENV, check=True)
        for path, content in files.items():
            target = work / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        git("add", "-A", cwd=work)
        status = subprocess.run(["git", "diff", "--cached", "--quiet"], cwd=work, env=GIT_ENV)
        assert status.returncode == 0, "plain git found changes in a no-op"
        return time.perf_counter() - start
    finally:
        shutil.rmtree(work, ignore_errors=True)


def checkout_of(revision: str, directory: Path) -> Path:
    """The project's tree at `revision`, extracted into `directory` (the baseline measured side by side)."""
    directory.mkdir()
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(directory)], input=archive, check=True)
    return directory


def noop_table(team_counts: list[int], baseline: str, baseline_max: int, remote: str) -> None:
    """One JSON line per team count: first seed vs no-op re-seed, this checkout, the baseline and plain git."""
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pk-bench-noop-")))
        old = checkout_of(baseline, tmp / "baseline")
        daemon = stack.enter_context(GitDaemon(tmp / "repos")) if remote == "daemon" else None

        def fresh(name: str) -> str:
            if daemon is not None:
                daemon.create_repo(name)
                return daemon.url(name)
            return str(tmp / "repos" / f"{name}.git")  # created by the seed (create_local)

        for teams in team_counts:
            files = team_files(teams)
            files_json = tmp / f"files-{teams}.json"
            files_json.write_text(json.dumps(files))
            row: dict[str, object] = {"teams": teams, "files": len(files) + 1, "remote": remote}
            row["current"] = noop_times(ROOT, files_json, fresh(f"current-{teams}"), tmp / f"cache-{teams}")
            if daemon is not None:  # the object cache applies to network remotes only
                row["cache_off"] = noop_times(ROOT, files_json, fresh(f"nocache-{teams}"))
            if teams <= baseline_max:
                row["baseline"] = {"revision": baseline, **noop_times(old, files_json, fresh(f"baseline-{teams}"))}
            plain_url = fresh(f"git-{teams}")
            if daemon is None:
                subprocess.run(["git", "init", "-q", "--bare", "-b", "main", plain_url], check=True)
            first = plain_git_push(plain_url, files)
            noop = plain_git_noop(plain_url, files)
            row["plain_git"] = {"first": round(first, 3), "noop": round(noop, 3), "ratio": round(noop / first, 3)}
            print(json.dumps(row), flush=True)
            files_json.unlink()


RESEED = """
import cProfile, io, json, os, pstats, statistics, sys, tempfile, time
from pathlib import Path
root, files_json, plan_json = Path(sys.argv[1]).resolve(), sys.argv[2], sys.argv[3]
import platform_kit
assert Path(platform_kit.__file__).resolve().is_relative_to(root), platform_kit.__file__
from platform_kit.publish import GitAuth, seed_files
files = json.loads(Path(files_json).read_text())
plan = json.loads(Path(plan_json).read_text())
auth = GitAuth(os.environ["PK_USER"], os.environ["PK_TOKEN"]) if os.environ.get("PK_TOKEN") else None
kw = dict(environment="dev", library_version="bench", template_version="1", auth=auth)
caches = Path(tempfile.mkdtemp(prefix="pk-bench-cache-"))
def cache(name):
    if name is None:
        os.environ["PLATFORM_KIT_CACHE"] = "off"
        return
    os.environ.pop("PLATFORM_KIT_CACHE", None)
    (caches / name).mkdir(mode=0o700, exist_ok=True)
    os.environ["PLATFORM_KIT_CACHE_DIR"] = str(caches / name)
def timed(url, name, tree, profile=None):
    cache(name)
    start = time.perf_counter()
    if profile is not None:
        profile.enable()
    result = seed_files(url, tree, **kw)
    if profile is not None:
        profile.disable()
    return time.perf_counter() - start, result
cache("warm-up")  # imports, regexes, sockets: done before anything is timed
seed_files(plan["warmup"], dict(list(files.items())[:20]), **kw)
seed_files(plan["warmup"], dict(list(files.items())[:20]), **kw)
grown = {**files, **{f"bench/added/file-{i:04d}.yaml": f"added: {i}\\n" for i in range(max(1, len(files) // 100))}}
rows = []
for i, (url, other) in enumerate(zip(plan["urls"], plan["additive_urls"])):
    row = {}
    row["first"], r = timed(url, f"{i}-first", files); assert r.commit is not None
    row["noop_warm"], r = timed(url, f"{i}-first", files); assert r.commit is None, "not a no-op"
    row["noop_cold"], r = timed(url, f"{i}-cold", files); assert r.commit is None, "not a no-op"
    row["noop_cache_off"], r = timed(url, None, files); assert r.commit is None, "not a no-op"
    timed(other, f"{i}-other", files)
    row["additive_cold"], r = timed(other, f"{i}-additive", grown); assert len(r.plan.create) == len(grown) - len(files)
    rows.append(row)
out = {k: round(statistics.median(row[k] for row in rows), 3) for k in rows[0]}
if plan["profile"]:  # one more cold no-op re-seed, not counted above
    profile = cProfile.Profile()
    timed(plan["urls"][0], "profiled-cold", files, profile)
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(18)
    out["profile"] = text.getvalue()
print(json.dumps(out))
"""
"""Run in a fresh interpreter with `platform_kit` imported from the tree given (argv: tree, files.json,
plan.json with the repo URLs: two per repetition (no-op, additive), a warm-up repo, and whether to profile)."""


def reseed_times(  # type: ignore[no-untyped-def]
    tree: Path, files_json: Path, repos, prefix: str, repeat: int, token: str | None, profile: bool
) -> tuple[dict, list[str]]:  # type: ignore[type-arg]
    """Medians of the first seed, no-op re-seeds (warm, cold, cache off) and additive re-seed by `tree`'s library,
    into new repos (`repos(prefix, n)` makes them); and the URLs of the repos left as the no-op saw them."""
    urls = repos(f"{prefix}-noop", repeat)
    plan = files_json.with_suffix(".plan.json")
    plan.write_text(
        json.dumps(
            {
                "urls": urls,
                "additive_urls": repos(f"{prefix}-additive", repeat),
                "warmup": repos(f"{prefix}-warmup", 1)[0],
                "profile": profile,
            }
        )
    )
    env = {**os.environ, "PYTHONPATH": str(tree)}
    for name in ("PLATFORM_KIT_CACHE", "PLATFORM_KIT_CACHE_DIR", "PK_USER", "PK_TOKEN"):
        env.pop(name, None)
    if token is not None:
        env.update(PK_USER=HTTP_USER, PK_TOKEN=token)  # never in argv
    out = subprocess.run(
        [sys.executable, "-c", RESEED, str(tree), str(files_json), str(plan)],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"re-seed measurement in {tree} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1]), urls


def raw_git_listing(url: str, work: Path) -> float:
    """The raw-git floor of a no-op: a blob-less depth-1 clone without checkout, then the full tree listing."""
    start = time.perf_counter()
    subprocess.run(
        ["git", "clone", "-q", "--filter=blob:none", "--no-checkout", "--depth", "1", url, str(work)],
        env=GIT_ENV,
        check=True,
        capture_output=True,  # "filtering not recognized by server" where it is off
    )
    listing = subprocess.run(
        ["git", "-C", str(work), "ls-tree", "-r", "HEAD"], env=GIT_ENV, check=True, capture_output=True
    ).stdout
    seconds = time.perf_counter() - start
    assert listing.count(b"\n") > 0
    shutil.rmtree(work, ignore_errors=True)
    return seconds


def files_for(count: int) -> tuple[int, dict[str, str]]:
    """(teams, files) of the dev stack with about `count` files (the seed record adds one)."""
    one, two = len(team_files(1)), len(team_files(2))
    teams = max(1, round((count - 1 - one) / (two - one)) + 1)
    return teams, team_files(teams)


def reseed_table(count: int, remotes: list[str], repeat: int, baseline: str, profile: bool) -> None:
    """One JSON line per remote and server (filter allowed or not): this checkout, the baseline revision, raw git."""
    teams, files = files_for(count)
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    print(
        f"# re-seed of {len(files) + 1} files ({teams} teams), median of {repeat}, {git_version}, "
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; "
        f"targets: no-op <= {NOOP_TARGET_SECONDS} s "
        f"and <= {NOOP_TARGET_RATIO} x first",
        flush=True,
    )
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pk-bench-reseed-")))
        old = checkout_of(baseline, tmp / "baseline")
        files_json = tmp / "files.json"
        files_json.write_text(json.dumps(files))
        for kind in remotes:
            server = stack.enter_context(GitDaemon(tmp / kind) if kind == "daemon" else HttpGitServer(tmp / kind))
            token = HTTP_TOKEN if kind == "http" else None
            for allow in (True, False):
                repos = functools.partial(_fresh_repos, server, allow)
                row: dict[str, object] = {"remote": kind, "server_filter": allow, "files": len(files) + 1}
                now, seeded = reseed_times(ROOT, files_json, repos, "current", repeat, token, profile)
                then, _ = reseed_times(old, files_json, repos, "baseline", repeat, token, False)
                listing = []
                for url in seeded:  # the repos the no-op re-seeds above read
                    listing.append(raw_git_listing(_with_token(url, token), tmp / "clone"))
                plain_url = _with_token(repos("plain", 1)[0], token)
                row["current"] = _with_ratios(now)
                row["baseline"] = {"revision": baseline, **_with_ratios(then)}
                row["raw_git"] = {
                    "blob_none_clone_ls_tree": round(statistics.median(listing), 3),
                    "first_push": round(plain_git_push(plain_url, files), 3),
                }
                noops = {k: now[k] for k in ("noop_warm", "noop_cold", "noop_cache_off")}
                row["targets_met"] = {
                    k: v <= NOOP_TARGET_SECONDS and v <= NOOP_TARGET_RATIO * now["first"] for k, v in noops.items()
                }
                text = row["current"].pop("profile", None)  # type: ignore[union-attr]
                print(json.dumps(row), flush=True)
                if text:
                    print(f"# cProfile, one cold no-op re-seed, {kind}, filter {allow}:\n{text}", flush=True)


def _fresh_repos(server: GitDaemon | HttpGitServer, allow: bool, prefix: str, n: int) -> list[str]:
    """URLs of `n` new empty repos on `server`, whose upload-pack offers object filters when `allow`."""
    names = [f"{prefix}-{'filter' if allow else 'nofilter'}-{i}" for i in range(n)]
    for name in names:
        repo = server.create_repo(name)
        flag = "true" if allow else "false"
        subprocess.run(["git", "--git-dir", str(repo), "config", "uploadpack.allowFilter", flag], check=True)
    return [server.url(name) for name in names]


def _with_token(url: str, token: str | None) -> str:
    """The URL the git CLI needs for the test server (its fixed test token; never a real credential)."""
    return url.replace("http://", f"http://{HTTP_USER}:{token}@") if token else url


def _with_ratios(times: dict) -> dict:  # type: ignore[type-arg]
    out = dict(times)
    for key in ("noop_warm", "noop_cold", "noop_cache_off", "additive_cold"):
        out[f"{key}_ratio"] = round(times[key] / times["first"], 3)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, nargs="+", default=[100, 1000, 5000], help="file counts (several)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per measurement")
    parser.add_argument("--size", type=int, default=1024, help="approximate bytes per file")
    parser.add_argument("--noop-teams", type=int, nargs="+", help="first seed vs no-op re-seed for N teams")
    parser.add_argument("--noop-baseline", default=NOOP_BASELINE, help="git revision to compare the no-op with")
    parser.add_argument(
        "--noop-baseline-max-teams", type=int, default=2000, help="skip the (quadratic) baseline above this"
    )
    parser.add_argument("--remote", choices=("local", "daemon"), default="local", help="remote for --noop-teams")
    parser.add_argument("--reseed-files", type=int, help="first seed vs no-op/additive re-seeds of about N files")
    parser.add_argument(
        "--reseed-remotes", nargs="+", choices=("daemon", "http"), default=["daemon", "http"], help="for --reseed-files"
    )
    parser.add_argument("--reseed-baseline", default=RESEED_BASELINE, help="git revision to compare the re-seed with")
    parser.add_argument("--profile", action="store_true", help="--reseed-files: cProfile one cold no-op re-seed")
    parser.add_argument("--state-teams", type=int, nargs="+", help="measure the seed's Pulumi state for N teams")
    parser.add_argument("--baseline", default=STATE_BASELINE, help="git revision to compare the state with")
    args = parser.parse_args(argv)
    if args.reseed_files:
        if args.repeat < 1 or args.reseed_files < 1:
            parser.error("--reseed-files and --repeat must be >= 1")
        reseed_table(args.reseed_files, args.reseed_remotes, args.repeat, args.reseed_baseline, args.profile)
        return 0
    if args.noop_teams:
        noop_table(args.noop_teams, args.noop_baseline, args.noop_baseline_max_teams, args.remote)
        return 0
    if args.state_teams:
        state_table(args.state_teams, args.baseline)
        return 0
    if args.repeat < 1 or any(n < 1 for n in args.files):
        parser.error("--files and --repeat must be >= 1")
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    print(
        f"# git daemon on 127.0.0.1, {git_version}, python {sys.version.split()[0]}, "
        f"~{args.size} B/file, median of {args.repeat}"
    )
    columns = ("files", 7), ("seed_files", 11), ("publish_files", 14), ("plain git", 10), ("seed/git", 9)
    header = " ".join(f"{name:>{width}}" for name, width in (*columns, ("no-op re-seed", 14)))
    print(header)
    print("-" * len(header))
    with GitDaemon() as daemon:
        for n in args.files:
            m = bench(daemon, n, args.repeat, args.size)
            print(
                f"{n:>7} {m['seed']:>10.3f}s {m['publish']:>13.3f}s {m['git']:>9.3f}s "
                f"{m['seed'] / m['git']:>9.2f} {m['noop']:>13.3f}s",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
