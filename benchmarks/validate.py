"""`platform-kit validate` wall time against `python -c "import pydantic, yaml"`, side by side.

    python benchmarks/validate.py [--runs 20] [--stack dev] [--project .]

Each run is a fresh process timed with time.perf_counter() around subprocess.run (interpreter
start-up included on both sides); the two commands alternate so background load hits both alike.
Prints min and median of each and the ratio validate / baseline (target: at most 2x), then the
heavy top-level packages the validate process imported (none of pulumi*, grpc, dulwich expected).

Bytecode is written (PYTHONDONTWRITEBYTECODE is dropped: an installed package has its .pyc files) and
the config models' validator cache lives in a temporary directory that the warm-up run fills, as
after a user's first `platform-kit validate`; "validate, cache off" builds the models every time.
The floors: `from pydantic import BaseModel` (pydantic's package import is lazy), and one small model
declared and validated the ordinary way (pydantic's schema machinery and plugin discovery).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pulumi", "pulumi_kubernetes", "pulumi_aws", "pulumi_random", "pulumi_github", "pulumi_tls", "grpc", "dulwich")


ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
NEUTRAL = Path(tempfile.mkdtemp(prefix="pk-bench-cwd-"))
"""Where the measured processes start: not the checkout, so PYTHONPATH decides which platform_kit runs."""

ONE_MODEL = (
    "import yaml\n"
    "from typing import Annotated\n"
    "from pydantic import BaseModel, ConfigDict, StringConstraints\n"
    "class M(BaseModel):\n"
    "    model_config = ConfigDict(frozen=True, extra='forbid')\n"
    "    name: Annotated[str, StringConstraints(pattern='^[a-z]+$')] = 'a'\n"
    "M(name='dev')\n"
)


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=env or ENV)
    return time.perf_counter() - start


def loaded_heavy(stack: str, project: Path) -> list[str]:
    script = (
        "import sys\n"
        f"sys.argv = ['platform-kit', 'validate', '--stack', {stack!r}, '--project', {str(project)!r}]\n"
        "from platform_kit.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(' '.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=NEUTRAL, check=True, capture_output=True, text=True, env=ENV
    )
    return result.stdout.split("\n")[-2].split() if result.stdout.strip() else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--project", type=Path, default=ROOT)
    args = parser.parse_args()
    project = args.project.resolve()
    ENV["PLATFORM_KIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="pk-validate-bench-")
    ENV.pop("PLATFORM_KIT_CACHE", None)
    validate = [sys.executable, "-m", "platform_kit.cli", "validate", "--stack", args.stack, "--project", str(project)]
    commands = {
        "baseline: import pydantic, yaml": [sys.executable, "-c", "import pydantic, yaml"],
        # pydantic's package import is lazy: BaseModel itself, and then the config models, are the floor
        "floor: from pydantic import BaseModel": [sys.executable, "-c", "import yaml; from pydantic import BaseModel"],
        "floor: one pydantic model declared and validated": [sys.executable, "-c", ONE_MODEL],
        "import platform_kit.config": [sys.executable, "-c", "import yaml, platform_kit.config"],
        "validate, cache off (models built)": validate,
        f"platform-kit validate --stack {args.stack}": validate,
    }
    cache_off = {**ENV, "PLATFORM_KIT_CACHE": "off"}
    envs = {name: cache_off if "cache off" in name else ENV for name in commands}
    for name, command in commands.items():  # warm the bytecode, page and validator caches
        timed(command, NEUTRAL, envs[name])
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            samples[name].append(timed(command, NEUTRAL, envs[name]))
    found = subprocess.run(
        [sys.executable, "-c", "import platform_kit; print(platform_kit.__file__)"],
        cwd=NEUTRAL,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"# platform_kit from {found}; load average {os.getloadavg()}")
    width = max(map(len, samples))
    print(f"{'command':<{width}}  {'min':>8}  {'median':>8}  (n={args.runs}, {sys.executable})")
    for name, values in samples.items():
        print(f"{name:<{width}}  {min(values) * 1000:7.1f}ms  {statistics.median(values) * 1000:7.1f}ms")
    base, *_, validate = samples.values()
    print(
        f"ratio validate/baseline: min {min(validate) / min(base):.2f}x, "
        f"median {statistics.median(validate) / statistics.median(base):.2f}x (target <= 2x)"
    )
    heavy = loaded_heavy(args.stack, project)
    print(f"heavy packages imported by validate: {', '.join(heavy) if heavy else 'none'}")


if __name__ == "__main__":
    main()
