"""A fleet of 10 and 100 Argo CD spokes on one hub, against the standalone `staging` stack, in one run.

    python benchmarks/fleet.py [--spokes 10 100] [--sample 3] [--repeat 3] [--shared-environments]

For each size N a project is generated (the repo's `hub` stack, N copies of `spoke-eks` with their own
cluster name and team, each in its own environment or, with --shared-environments, in one of three
shared ones; the repo's stack-references.yaml) and measured in this process (warm imports; the baseline
is measured the same way):
- baseline: `run_stack(staging)` (a standalone Argo CD environment on EKS);
- spoke registration: `run_stack(<spoke>)` of `--sample` spokes (every spoke's program is the same
  size: it registers itself, it does not read the others);
- hub: `run_stack(hub)` and the pure `render_config_repo(hub)`;
- `validate --all` (every stack file loaded, fleet checks);
- the config repo: files and bytes of the union of every seed; the hub's ApplicationSets (layers and teams);
- the generators: the hub's ApplicationSets expanded over N cluster Secrets (Applications, seconds).
Printed: medians, and each time as a ratio of the baseline.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fleet_support import seed_union, spoke_secret, write_tree  # noqa: E402
from stack_support import project_skeleton  # noqa: E402

from platform_kit.cli.fleet import project_fleet_problems, project_stacks  # noqa: E402
from platform_kit.config import load_stack_file  # noqa: E402
from platform_kit.inflate.appsets import expand_application_set  # noqa: E402
from platform_kit.offline.preview import run_stack  # noqa: E402
from platform_kit.repo import render_config_repo  # noqa: E402


def timed(repeat: int, func) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def fleet_project(root: Path, spokes: int, shared_environments: bool = False) -> Path:
    project = project_skeleton(root)
    (project / "stack-references.yaml").write_text((ROOT / "stack-references.yaml").read_text())
    (project / "stacks" / "Pulumi.hub.yaml").write_text((ROOT / "stacks" / "Pulumi.hub.yaml").read_text())
    template = yaml.safe_load((ROOT / "stacks" / "Pulumi.spoke-eks.yaml").read_text())
    for index in range(spokes):
        document = yaml.safe_load(yaml.safe_dump(template))
        config = document["config"]
        environment = ("fleet-dev", "fleet-staging", "fleet-prod")[index % 3]
        config["platform:environment"] = environment if shared_environments else f"{environment}-{index:03d}"
        config["platform:cluster"]["name"] = f"spoke-{index:03d}"
        config["platform:cluster"]["tags"]["environment"] = config["platform:environment"]
        (project / "stacks" / f"Pulumi.spoke-{index:03d}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spokes", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--sample", type=int, default=3, help="spoke stacks rendered per size")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shared-environments", action="store_true", help="spokes in 3 shared environments")
    options = parser.parse_args()

    run_stack(ROOT, "staging")  # warm-up: imports, chart defaults
    baseline, _ = timed(options.repeat, lambda: run_stack(ROOT, "staging"))
    print(f"# python {sys.version.split()[0]}, medians of {options.repeat}, in-process (warm imports)")
    print(f"baseline run_stack(staging): {baseline:.3f} s\n")
    header = (
        f"{'spokes':>6} {'spoke run_stack':>16} {'hub run_stack':>14} {'hub render':>11} {'validate --all':>15}"
        f" {'repo files':>10} {'repo KiB':>9} {'appsets':>7} {'apps':>6} {'generators':>11}"
    )
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        for count in options.spokes:
            print(measure(Path(tmp), count, options.sample, options.repeat, baseline, options.shared_environments))


def measure(tmp: Path, count: int, samples: int, repeat: int, baseline: float, shared: bool) -> str:
    """One row: the fleet of `count` spokes measured."""
    project = fleet_project(tmp / f"fleet-{count}", count, shared)
    sample = [f"spoke-{index:03d}" for index in range(0, count, max(1, count // samples))]
    spoke_time = statistics.median(timed(repeat, lambda s=s: run_stack(project, s))[0] for s in sample)
    hub_run, run = timed(repeat, lambda: run_stack(project, "hub"))
    hub_render, hub_files = timed(repeat, lambda: render_config_repo(run.config))
    validate, problems = timed(repeat, lambda: project_fleet_problems(project, project_stacks(project)))
    assert problems == [], problems
    configs = [load_stack_file(project, s) for s in project_stacks(project) if s != "hub"]
    files = {**{m.path: m.content for m in hub_files}, **seed_union(configs)}
    size = sum(len(content.encode()) for content in files.values()) / 1024
    appsets = [
        d
        for path, content in files.items()
        if path.startswith("fleet/acme/") and path.endswith(".yaml")
        for d in yaml.safe_load_all(content)
        if d and d.get("kind") == "ApplicationSet"
    ]
    repo = write_tree(tmp / f"repo-{count}", files)
    secrets = [spoke_secret(config) for config in configs]
    generators, apps = timed(
        repeat, lambda: [a for s in appsets for a in expand_application_set(s, secrets, repo, {run.config.repo.url})]
    )
    return (
        f"{count:>6} {spoke_time:>8.3f} s {spoke_time / baseline:>4.2f}x"
        f" {hub_run:>7.3f} s {hub_run / baseline:>4.2f}x {hub_render:>9.3f} s"
        f" {validate:>7.3f} s {validate / baseline:>4.2f}x {len(files):>10} {size:>9.0f}"
        f" {len(appsets):>7} {len(apps):>6} {generators:>9.3f} s"
    )


if __name__ == "__main__":
    main()
