"""Forwarding for modules that moved: the old import path keeps working for one release, with a warning."""

from __future__ import annotations

import sys
import warnings
from importlib import import_module


def forward(old: str, new: str) -> None:
    """Make module `old` the module `new` (the same object: attributes, monkeypatches and isinstance agree).

    Called at the top of the module left at the old path; warns once per process, naming the line
    that imported the old path (DeprecationWarning: shown for the program's own imports and by pytest).
    """
    warnings.warn(
        f"{old} moved to {new}: import it from there (the old path is removed in the next release)",
        DeprecationWarning,
        stacklevel=3,
    )
    sys.modules[old] = import_module(new)
