"""Shared building blocks of the config models: the strict base model and constrained types."""

from __future__ import annotations

import re
import types
from fractions import Fraction
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic.alias_generators import to_camel

DnsLabel = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=40),
]
"""A lower-case DNS label, short enough to prefix Kubernetes and cloud names."""

GO_DURATION_UNITS_NS = {"ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000}
"""Units of a Duration, in nanoseconds (Flux's CRD pattern allows these; Go also knows ns/us, Flux does not)."""
GO_DURATION_MAX_NS = (1 << 63) - 1
"""Go's `time.Duration` is an int64 of nanoseconds (about 292 years); `time.ParseDuration` rejects more."""
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)")


def duration_ns(value: str) -> Fraction:
    """Exact length of a Duration (`1h30m`) in nanoseconds."""
    return sum(
        (Fraction(number) * GO_DURATION_UNITS_NS[unit] for number, unit in _DURATION_PART.findall(value)), Fraction(0)
    )


def _positive_go_duration(value: str) -> str:
    length = duration_ns(value)
    if length <= 0:
        raise ValueError("must be longer than zero")
    if length > GO_DURATION_MAX_NS:
        raise ValueError("exceeds Go's time.Duration range (about 292 years), so Flux and Argo CD cannot parse it")
    return value


Duration = Annotated[
    str,
    StringConstraints(pattern=r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"),
    AfterValidator(_positive_go_duration),
]
"""A Go duration such as `1m` or `1h30m` in the form Flux's CRDs accept (a subset of Go's syntax, which Argo CD
parses), longer than zero and within Go's int64-nanosecond range."""


def _no_dot_segments(path: str) -> str:
    if any(segment in (".", "..") for segment in path.split("/")):
        raise ValueError("must not contain `.` or `..` segments")
    return path


_GIT_DIR = re.compile(r"^(\.git[. ]*|git~[0-9]+)$", re.IGNORECASE)
"""`.git` as git itself refuses it in a tree path: any case, NTFS trailing dots/spaces, the 8.3 short name."""


def _no_git_dir(path: str) -> str:
    if any(_GIT_DIR.match(segment) for segment in path.split("/")):
        raise ValueError("must not contain a `.git` component (git refuses paths inside its own directory)")
    return path


RepoPath = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$"),
    AfterValidator(_no_dot_segments),
    AfterValidator(_no_git_dir),
]
"""A relative POSIX path inside the config repo, without `..`, a `.git` component or a leading slash."""

LAYOUT_ROOTS = frozenset({".github", ".platform-kit", "README.md", "apps", "infrastructure", "projects", "teams"})
"""Top-level entries of the config repo besides `clusters/` (the renderer's layout, platform_kit.repo, and the
seed record's directory); `repo.path` must stay out of them. tests/test_hostile_config.py derives this set
from a render and fails when the layout drifts from it."""

LAYOUT_ENVIRONMENT_SIBLINGS = frozenset({"README.md", "base", "configs", "controllers", "policies"})
"""Entries that sit next to an environment's directory (`apps/<env>`, `infrastructure/<env>`, `teams/<t>/<env>`);
an environment named like one collides with it (derived from a render by tests/test_hostile_config.py)."""


def check_environment_path(path: str) -> str:
    """`repo.path` rule: an environment's directory stays outside the top-level directories the layout writes."""
    top = path.split("/", 1)[0]
    if top in LAYOUT_ROOTS:
        raise ValueError(
            f"must not be inside `{top}`, which the config repo's own layout uses (put environments under `clusters/`)"
        )
    return path


GIT_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")
"""Characters git refuses anywhere in a ref name (git-check-ref-format rules 4, 5 and 10)."""


def branch_name_problem(name: str) -> str | None:
    """Why git refuses `name` as a branch (`git check-ref-format --branch`), or None.

    The documented rules of git-check-ref-format, applied to `refs/heads/<name>`: no component starting with
    `.` or ending with `.lock`; no `..`; no control characters, space, `~ ^ : ? * [` or `\\`; no leading or
    trailing `/` and no `//`; no trailing `.`; no `@{`; not `@`; and, for a branch, not starting with `-` nor
    named `HEAD`.
    """
    if not name:
        return "must not be empty"
    if name.startswith("-"):
        return "must not start with `-`"
    if name == "HEAD":
        return "`HEAD` is not a branch name"
    if name == "@":
        return "must not be `@`"
    if GIT_REF_FORBIDDEN.search(name):
        return "must not contain control characters, spaces or any of `~ ^ : ? * [ \\`"
    if name.startswith("/") or name.endswith("/") or "//" in name:
        return "must not start or end with `/` or contain `//`"
    if ".." in name:
        return "must not contain `..`"
    if "@{" in name:
        return "must not contain `@{`"
    if name.endswith("."):
        return "must not end with `.`"
    for component in name.split("/"):
        if component.startswith("."):
            return "no `/`-separated component may start with `.`"
        if component.endswith(".lock"):
            return "no `/`-separated component may end with `.lock`"
    return None


def check_branch_name(name: str) -> str:
    """`repo.branch` rule: ValueError unless git accepts `name` as a branch."""
    if problem := branch_name_problem(name):
        raise ValueError(f"git refuses this branch name: {problem}")
    return name


EnvVarName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
"""The name of an environment variable."""

AGENT_READABLE_SCHEMES = ("http", "https", "ssh")
"""URL schemes an in-cluster GitOps agent can clone from."""


class _NotANumber:
    """Stand-in for a boolean given where a number is expected: fails the number's own validation."""

    __slots__ = ()


def _expects_number(annotation: Any) -> bool:
    """Whether a field's type is a number (int/float, a Literal of numbers, or optional/union of those)."""
    if get_origin(annotation) is Annotated:
        return _expects_number(get_args(annotation)[0])
    if annotation in (int, float):
        return True
    if get_origin(annotation) is Literal:
        return any(type(value) in (int, float) for value in get_args(annotation))
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_expects_number(arg) for arg in get_args(annotation))
    return False


class Model(BaseModel):
    """Base of every config model: frozen, strict about unknown keys, camelCase aliases, no booleans as numbers."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        use_attribute_docstrings=True,
        hide_input_in_errors=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _no_bool_as_number(cls, data: Any) -> Any:
        """Refuse `true`/`false` for a number: pydantic's lax mode would read them as 1/0 (a count of one)."""
        if not isinstance(data, dict):
            return data
        replaced = dict(data)
        for name, info in cls.model_fields.items():
            if not _expects_number(info.annotation):
                continue
            for key in {name, info.alias or name}:
                if isinstance(replaced.get(key), bool):
                    replaced[key] = _NotANumber()
        return replaced


def url_scheme(url: str) -> str:
    """The URL's scheme, `file` for a local path."""
    if "://" not in url:
        return "file"
    return urlsplit(url).scheme.lower()


def _http_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s):// URL with a host")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("must not carry credentials, a query or a fragment")
    return url.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_http_url)]
"""An http(s) URL without credentials, query or fragment; a trailing `/` is dropped."""
