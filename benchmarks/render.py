"""Import cost and offline render time, each against a baseline measured in the same run.

    python benchmarks/render.py [--repeat 5] [--stacks local dev]

Every measurement runs in a fresh interpreter (imports are cached per process):
- imports: `import pulumi` (baseline) vs `import platform_kit`, `platform_kit.platform`
  and `pulumi_aws`, plus whether an existing-cluster render imports pulumi_aws at all;
- renders: `run_stack(<stack>)` vs the bare Pulumi mock engine registering the same
  number of plain resources (the cost floor of any program of that size).
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
from platform_kit.preview import run_stack
run = run_stack({root!r}, {stack!r})
extra = {{"resources": len(run.registrations), "aws_imported": "pulumi_aws" in sys.modules}}
"""

BARE_ENGINE = """
import pulumi
from platform_kit.engine import run_program

class Plain(pulumi.CustomResource):
    def __init__(self, name):
        super().__init__("bench:index:Plain", name, {{"value": name}})

run_program(lambda: [Plain(f"r{{i}}") for i in range({count})], project="bench", stack="bench")
extra = {{"resources": {count}}}
"""


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


if __name__ == "__main__":
    main()
