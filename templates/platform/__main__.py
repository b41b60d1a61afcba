"""${DESCRIPTION}

One environment's platform: read the stack config once, build Platform, export what team stacks read.

    pulumi up                                                   # real use
    platform-kit render --project . --stack dev --out out --check   # offline preview, guardrails
"""

from pathlib import Path

from platform_kit import Platform, PlatformArgs, export_stack_outputs

args = PlatformArgs.from_stack(project_dir=Path(__file__).resolve().parent)
export_stack_outputs(Platform(args.config.environment, args))
