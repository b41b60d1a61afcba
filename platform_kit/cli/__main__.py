"""`python -m platform_kit.cli ...`: the same command as the `platform-kit` console script."""

from platform_kit.cli import main

main()
