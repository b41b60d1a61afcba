"""Import cost and offline render time, each against a baseline measured in the same run.

    python benchmarks/render.py --teams 10 100 500 [--repeat 5]          # the issue's targets (whole process)
    python benchmarks/render.py [--repeat 5] [--stacks local dev] [--per-resource-teams 10 100 500]

`--teams`: the `dev` stack with N generated teams, as users run it: `platform-kit render --stack <s> --out
DIR`, a whole process, against the bare-runtime baseline of the same render (benchmarks/render_baseline.py:
a standalone program registering the same resource classes with the same inputs, parents, providers,
dependencies and options on Pulumi's bare mock runtime; checked identical before timing). The baseline
process imports pulumi and exactly the provider classes the render used, so it includes their import
floor, also printed alone (`import pulumi` plus those modules). Both sides alternate, `--repeat` times
each; peak memory is each process's maximum resident set (`os.wait4`'s ru_maxrss). Targets: time at most
1.3x, peak memory at most 2x the baseline's; and the render imports no provider package the baseline
does not. Bytecode is written (an installed package has its .pyc files) and the config models' validator
cache is warm (a temporary one the warm-up fills).

The older in-process figures (history in benchmarks/README.md):
- imports: `import pulumi` (baseline) vs `import platform_kit`, `platform_kit.platform`
  and `pulumi_aws`, plus whether an existing-cluster render imports pulumi_aws at all;
- renders: `run_stack(<stack>)` vs the bare Pulumi mock runtime (Pulumi's own mock monitor,
  no platform_kit) registering the same number of plain resources;
- teams (`--per-resource-teams`): the `dev` stack with N generated teams, rendered the same way, against the
  bare mock runtime registering as many plain resources, and as many pulumi_aws IAM resources,
  in the same run: time per resource and peak memory (tracemalloc) of each, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TIMED = """
import json, sys, time
start = time.perf_counter()
{body}
print(json.dumps({{"seconds": time.perf_counter() - start, **locals().get("extra", {{}})}}))
"""

RENDER = """
from platform_kit.offline.preview import run_stack
run = run_stack({root!r}, {stack!r})
extra = {{"resources": len(run.registrations), "aws_imported": "pulumi_aws" in sys.modules}}
"""

BARE = """
import pulumi
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

class Echo(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return f"{{args.name}}-id", args.inputs

    def call(self, args):
        return {{}}

def run_program(program):
    pulumi.runtime.set_mocks(Echo(), project="bench", stack="bench", preview=False)
    _sync_await(run_pulumi_func(program))
"""
"""The bare Pulumi mock runtime: its own mock monitor echoing inputs, default interpreter settings."""

PLAIN = (
    BARE
    + """
class Plain(pulumi.CustomResource):
    def __init__(self, name):
        super().__init__("bench:index:Plain", name, {{"value": name}})

def program():
    return [Plain(f"r{{i}}") for i in range({count})]
"""
)
"""The issue's baseline: as many plain one-property resources."""

IAM = (
    BARE
    + """
import gc
import pulumi_aws as aws

_bare_run = run_program

def run_program(program):  # the cyclic GC paused, as platform_kit's engine runs programs
    gc.disable()
    try:
        _bare_run(program)
    finally:
        gc.enable()

def program():
    provider = aws.Provider("aws", region="eu-west-1")
    opts = pulumi.ResourceOptions(provider=provider)
    for i in range({count} // 2):
        role = aws.iam.Role(f"r{{i}}", assume_role_policy="{{}}", description=f"team {{i}}", opts=opts)
        aws.iam.RolePolicy(f"p{{i}}", role=role.id, policy="{{}}", opts=opts)
"""
)
"""What the teams' resources cost through pulumi_aws's classes alone (a Role and a RolePolicy per pair), run
the way platform_kit's engine runs programs: the ratio to it is what platform_kit's own code adds."""

BARE_ENGINE = (
    PLAIN
    + """
run_program(program)
extra = {{"resources": {count}}}
"""
)

TEAMS_RENDER = """
import shutil, tempfile, tracemalloc
from pathlib import Path
import yaml
from platform_kit.offline.preview import run_stack
root = Path({root!r})
project = Path(tempfile.mkdtemp())
shutil.copy(root / "Pulumi.yaml", project / "Pulumi.yaml")
shutil.copy(root / "__main__.py", project / "__main__.py")
shutil.copytree(root / "stacks", project / "stacks", ignore=shutil.ignore_patterns("Pulumi.*.yaml"))
stack = yaml.safe_load((root / "stacks" / "Pulumi.dev.yaml").read_text())
stack["config"]["platform:teams"] = [
    {{"name": f"team-{{i:04d}}", "owners": [f"group-{{i:04d}}"], "size": "small"}} for i in range({teams})
]
(project / "stacks" / "Pulumi.bench.yaml").write_text(yaml.safe_dump(stack))
run_stack(project, "bench")  # warm-up: every lazy import done
start = time.perf_counter()
run = run_stack(project, "bench")
seconds = time.perf_counter() - start
from platform_kit.config import load_stack_file
from platform_kit.repo import render_config_repo
config = load_stack_file(project, "bench")
from platform_kit.offline.engine import cyclic_gc_paused
with cyclic_gc_paused():  # as inside run_stack
    rendering = time.perf_counter()
    render_config_repo(config)
    rendering = time.perf_counter() - rendering
tracemalloc.start()
run_stack(project, "bench")
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
start = time.perf_counter() - seconds
extra = {{"resources": len(run.registrations), "files": len(run.seeded_files()), "peak": peak, "render": rendering}}
"""

TIMED_RUNS = """
import tracemalloc
run_program(program)  # warm-up
start = time.perf_counter()
run_program(program)
seconds = time.perf_counter() - start
tracemalloc.start()
run_program(program)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
start = time.perf_counter() - seconds
extra = {"peak": peak}
"""
"""Warm-up, timed and traced runs of `program` (the same protocol as TEAMS_RENDER)."""


def measure(body: str, repeat: int) -> tuple[float, dict]:
    """Median seconds of `body` over `repeat` fresh interpreters, and the last run's extras."""
    samples, extra = [], {}
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", TIMED.format(body=body)], capture_output=True, text=True, check=True, cwd=ROOT
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        samples.append(result.pop("seconds"))
        extra = result
    return statistics.median(samples), extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stacks", nargs="+", default=["local", "dev"])
    parser.add_argument("--teams", nargs="*", type=int, default=[], help="whole-process render of dev with N teams")
    parser.add_argument("--per-resource-teams", nargs="*", type=int, default=[], help="the older in-process table")
    args = parser.parse_args()
    if args.teams:
        process_table(args.teams, args.repeat)
        return

    print(f"# python {sys.version.split()[0]}, median of {args.repeat} fresh interpreters")
    baseline, _ = measure("import pulumi", args.repeat)
    print(f"{'import':28s} {'seconds':>8s} {'x pulumi':>9s}")
    print(f"{'pulumi (baseline)':28s} {baseline:8.3f} {1.0:9.2f}")
    for module in ("platform_kit", "platform_kit.platform", "pulumi_aws"):
        seconds, _ = measure(f"import {module}", args.repeat)
        print(f"{module:28s} {seconds:8.3f} {seconds / baseline:9.2f}")

    print(f"\n{'render':12s} {'resources':>9s} {'seconds':>8s} {'bare engine':>11s} {'ratio':>6s} {'pulumi_aws':>10s}")
    for stack in args.stacks:
        seconds, extra = measure(RENDER.format(root=str(ROOT), stack=stack), args.repeat)
        bare, _ = measure(BARE_ENGINE.format(count=extra["resources"]), args.repeat)
        imported = "imported" if extra["aws_imported"] else "not imported"
        print(f"{stack:12s} {extra['resources']:9d} {seconds:8.3f} {bare:11.3f} {seconds / bare:6.2f} {imported:>10s}")
    if args.per_resource_teams:
        teams_table(args.per_resource_teams, args.repeat)


def teams_table(team_counts: list[int], repeat: int) -> None:
    """The dev stack with N teams vs the bare mock runtime with as many resources: time per resource, peak memory.

    Each side runs once to warm up (imports), once timed, and once under tracemalloc for the peak of
    memory allocated during the run (imports excluded). Baselines, same count of resources:
    `bare` plain one-property resources on the untouched runtime (the issue's target: platform_kit
    within 1.5x), and `iam` pulumi_aws IAM roles and role policies with the cyclic GC paused as
    platform_kit's engine does (what the teams' own cloud resources cost through the provider SDK
    before any platform_kit code). `render %` is the pure config repo rendering's share of the time.
    """
    print(
        f"\n{'teams':>5s} {'resources':>9s} {'files':>6s} {'ms/res':>7s} {'render %':>8s} {'bare ms/res':>11s}"
        f" {'x bare':>6s} {'iam ms/res':>10s} {'x iam':>5s} {'peak MB':>8s} {'bare MB':>8s} {'mem x':>6s}"
    )
    for count in team_counts:
        seconds, extra = measure(TEAMS_RENDER.format(root=str(ROOT), teams=count), repeat)
        resources = extra["resources"]
        plain, plain_extra = measure(PLAIN.format(count=resources) + TIMED_RUNS, repeat)
        iam, _ = measure(IAM.format(count=resources) + TIMED_RUNS, repeat)
        per, plain_per, iam_per = (1000 * value / resources for value in (seconds, plain, iam))
        peak, plain_peak = extra["peak"] / 2**20, plain_extra["peak"] / 2**20
        print(
            f"{count:5d} {resources:9d} {extra['files']:6d} {per:7.2f} {100 * extra['render'] / seconds:8.0f}"
            f" {plain_per:11.2f} {per / plain_per:6.2f} {iam_per:10.2f} {per / iam_per:5.2f}"
            f" {peak:8.1f} {plain_peak:8.1f} {peak / plain_peak:6.2f}"
        )


ENV = {key: value for key, value in os.environ.items() if key not in ("PYTHONDONTWRITEBYTECODE", "PLATFORM_KIT_CACHE")}
NEUTRAL = Path(tempfile.mkdtemp(prefix="pk-bench-cwd-"))
"""Where the measured processes start: not the checkout, so PYTHONPATH decides which platform_kit runs
(`PYTHONPATH=<other checkout> python benchmarks/render.py` measures another revision with the same baseline)."""
BASELINE = Path(__file__).resolve().parent / "render_baseline.py"


def team_project(teams: int) -> Path:
    """A project directory whose stack `bench` is the dev stack with `teams` generated teams."""
    import yaml

    project = Path(tempfile.mkdtemp(prefix=f"pk-render-{teams}-"))
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    shutil.copy(ROOT / "__main__.py", project / "__main__.py")
    shutil.copytree(ROOT / "stacks", project / "stacks", ignore=shutil.ignore_patterns("Pulumi.*.yaml"))
    stack = yaml.safe_load((ROOT / "stacks" / "Pulumi.dev.yaml").read_text())
    stack["config"]["platform:teams"] = [
        {"name": f"team-{i:04d}", "owners": [f"group-{i:04d}"], "size": "small"} for i in range(teams)
    ]
    (project / "stacks" / "Pulumi.bench.yaml").write_text(yaml.safe_dump(stack))
    return project


def process(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one whole process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=NEUTRAL, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed: {child.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def output(command: list[str]) -> str:
    return subprocess.run(command, cwd=NEUTRAL, env=ENV, check=True, capture_output=True, text=True).stdout


WRITE_FLOOR = """
import pathlib, shutil, sys, time
source, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
files = {p.relative_to(source): p.read_text() for p in source.rglob("*") if p.is_file()}
shutil.rmtree(target, ignore_errors=True)
start = time.perf_counter()
made = set()
for path, text in sorted(files.items()):
    directory = (target / path).parent
    if directory not in made:
        directory.mkdir(parents=True, exist_ok=True)
        made.add(directory)
    (target / path).write_text(text)
print(time.perf_counter() - start)
"""
"""Plain Python writing the same config-repo tree (read beforehand, untimed): what writing the output costs."""

RENDER_MODULES = """
import json, sys
from platform_kit.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    assert not exit.code, exit.code
sys.path.insert(0, {benchmarks!r})
from render_baseline import provider_modules
print(json.dumps(provider_modules()))
"""


def process_table(team_counts: list[int], repeat: int) -> None:
    ENV["PLATFORM_KIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="pk-render-bench-cache-")
    print(f"# output under {tempfile.gettempdir()} (TMPDIR); the machine's load: {os.getloadavg()}")
    py = sys.executable
    found = output([py, "-c", "import platform_kit; print(platform_kit.__file__)"]).strip()
    print(f"# python {sys.version.split()[0]}, whole processes, {repeat} runs each (alternating); min / median")
    print(f"# platform_kit from {found}")
    print(
        f"{'teams':>5s} {'resources':>9s} {'files':>6s} {'render s':>15s} {'baseline s':>15s} {'x (median)':>10s}"
        f" {'import floor s':>14s} {'write s':>7s} {'x (base+write)':>14s}"
        f" {'render MB':>9s} {'baseline MB':>11s} {'mem x':>6s}  extra provider packages"
    )
    for teams in team_counts:
        project = team_project(teams)
        out = Path(tempfile.mkdtemp(prefix="pk-render-out-"))
        data = project / "registrations.json"
        render = [py, "-m", "platform_kit.cli", "render", "--stack", "bench", "--project", str(project)]
        render += ["--out", str(out / "render")]
        output([py, str(BASELINE), "record", str(project), "bench", str(data)])
        verdict = subprocess.run([py, str(BASELINE), "verify", str(data)], cwd=NEUTRAL, env=ENV, capture_output=True)
        if verdict.returncode:
            raise SystemExit(
                "the baseline does not register the same resources:\n"
                + verdict.stdout.decode()
                + verdict.stderr.decode()[-3000:]
            )
        baseline = [py, str(BASELINE), "run", str(data)]
        used = json.loads(output([*baseline, "--modules"]).splitlines()[0])
        rendered = json.loads(
            output([py, "-c", RENDER_MODULES.format(benchmarks=str(BASELINE.parent)), *render[3:]]).splitlines()[-1]
        )
        extra = sorted(set(rendered) - set(used))
        floor_program = "import pulumi\n" + "".join(f"import {m}\n" for m in used)
        rows = json.loads(data.read_text())["registrations"]
        files = sum(1 for _ in (out / "render" / "config-repo").rglob("*") if _.is_file())
        samples: dict[str, list[tuple[float, float]]] = {"render": [], "baseline": [], "floor": []}
        process(render), process(baseline), process([py, "-c", floor_program])  # warm caches
        write_floor = [py, "-c", WRITE_FLOOR, str(out / "render" / "config-repo"), str(out / "write-floor")]
        writes = []
        for _ in range(repeat):
            samples["render"].append(process(render))
            samples["baseline"].append(process(baseline))
            samples["floor"].append(process([py, "-c", floor_program]))
            writes.append(float(output(write_floor).strip()))
        write = statistics.median(writes)
        times = {k: [s for s, _ in v] for k, v in samples.items()}
        peaks = {k: statistics.median(m for _, m in v) for k, v in samples.items()}
        median = {k: statistics.median(v) for k, v in times.items()}
        print(
            f"{teams:5d} {len(rows):9d} {files:6d} {min(times['render']):7.3f}/{median['render']:7.3f}"
            f" {min(times['baseline']):7.3f}/{median['baseline']:7.3f} {median['render'] / median['baseline']:10.2f}"
            f" {median['floor']:14.3f} {write:7.3f} {median['render'] / (median['baseline'] + write):14.2f}"
            f" {peaks['render']:9.1f} {peaks['baseline']:11.1f}"
            f" {peaks['render'] / peaks['baseline']:6.2f}  {', '.join(extra) or 'none'}"
        )
        print(f"      provider packages (both): {', '.join(used)}")
        shutil.rmtree(project, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    print(
        "targets: render time <= 1.3x the baseline (median), peak memory <= 2x, no extra provider package;\n"
        "`write s`: plain Python writing the same config-repo files (the baseline writes nothing), and the ratio\n"
        "to baseline + write"
    )


if __name__ == "__main__":
    main()
