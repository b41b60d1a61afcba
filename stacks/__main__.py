"""Per-environment program for `pulumi up -s <stack>`: read config once, build Platform, export."""

from pathlib import Path

from platform_kit import Platform, PlatformArgs, export_stack_outputs

args = PlatformArgs.from_stack(project_dir=Path(__file__).resolve().parent.parent)
export_stack_outputs(Platform(args.config.environment, args))
