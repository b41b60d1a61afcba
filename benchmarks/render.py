"""Import cost and offline render time, each against a baseline measured in the same run.

    python benchmarks/render.py [--repeat 5] [--stacks local dev] [--teams 10 100 500]

Every measurement runs in a fresh interpreter (imports are cached per process):
- imports: `import pulumi` (baseline) vs `import platform_kit`, `platform_kit.platform`
  and `pulumi_aws`, plus whether an existing-cluster render imports pulumi_aws at all;
- renders: `run_stack(<stack>)` vs the bare Pulumi mock runtime (Pulumi's own mock monitor,
  no platform_kit) registering the same number of plain resources;
- teams (`--teams`): the `dev` stack with N generated teams, rendered the same way, against the
  bare mock runtime registering as many plain resources, and as many pulumi_aws IAM resources,
  in the same run: time per resource and peak memory (tracemalloc) of each, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
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
    parser.add_argument("--teams", nargs="*", type=int, default=[], help="also render the dev stack with N teams")
    args = parser.parse_args()

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
    if args.teams:
        teams_table(args.teams, args.repeat)


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


if __name__ == "__main__":
    main()
