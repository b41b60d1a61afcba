"""The library's version: written once, here (pyproject.toml reads it; `platform_kit.__version__` re-exports it)."""

__version__ = "0.1.0"
