"""Pulumi's entry point at the project root (Pulumi.yaml has no `main`): run the stack program in stacks/."""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parent / "stacks" / "__main__.py"), run_name="__main__")
