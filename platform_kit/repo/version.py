"""Version of the config repo templates, recorded with every seed."""

TEMPLATE_VERSION = "1"
"""Bump whenever a rendered file changes, so a repo's seed record tells which templates wrote it."""
