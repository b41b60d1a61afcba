"""Config errors that name every problem by its field path, never by its value."""

from __future__ import annotations

from typing import NamedTuple

from pydantic import ValidationError
from pydantic.alias_generators import to_camel

DISCRIMINATED_FIELDS = frozenset({"cluster", "gitops", "credentials", "network"})
"""Fields whose validation errors carry the variant tag as an extra path segment."""


class Problem(NamedTuple):
    """One config problem: where (`platform.cluster.name`) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ConfigError(Exception):
    """Invalid stack config; `problems` lists each one by field path."""

    def __init__(self, problems: list[Problem], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        """A multi-line, human-readable list of the problems."""
        head = f"invalid config in {self.source}" if self.source else "invalid config"
        lines = [f"{head} ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}):"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


def field_path(prefix: str, loc: tuple[str | int, ...]) -> str:
    """`('cluster', 'existing', 'kubeconfig')` -> `platform.cluster.kubeconfig` (tags dropped)."""
    path = prefix
    skip_next = False
    for segment in loc:
        if skip_next:
            skip_next = False
            continue
        if isinstance(segment, int):
            path += f"[{segment}]"
            continue
        path += f".{to_camel(segment)}"
        skip_next = segment in DISCRIMINATED_FIELDS
    return path


def problems_from_validation(error: ValidationError, prefix: str = "platform") -> list[Problem]:
    """Turn a pydantic error into path-named problems; input values are never included."""
    items = error.errors(include_input=False, include_url=False)
    locs = [tuple(item["loc"]) for item in items]
    problems = []
    for item in items:
        loc = tuple(item["loc"])
        if item["type"] == "too_short" and any(other[: len(loc)] == loc and other != loc for other in locs):
            continue  # "too short" only because an element inside failed; that element is reported

        message = item["msg"].removeprefix("Value error, ")
        ctx = item.get("ctx", {})
        if item["type"] == "union_tag_invalid":
            message = f"unknown {ctx['discriminator'].strip(chr(39))} `{ctx['tag']}` (expected {ctx['expected_tags']})"
        elif item["type"] == "union_tag_not_found":
            message = f"missing {ctx['discriminator']}"
        problems.append(Problem(field_path(prefix, loc), message))
    return problems
