"""Shared building blocks of the config models: the strict base model and constrained types."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints
from pydantic.alias_generators import to_camel

DnsLabel = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=40),
]
"""A lower-case DNS label, short enough to prefix Kubernetes and cloud names."""

Duration = Annotated[str, StringConstraints(pattern=r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$")]
"""A Go duration such as `1m` or `1h30m`, as Flux and Argo CD expect."""


def _no_dot_segments(path: str) -> str:
    if any(segment in (".", "..") for segment in path.split("/")):
        raise ValueError("must not contain `.` or `..` segments")
    return path


RepoPath = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$"),
    AfterValidator(_no_dot_segments),
]
"""A relative POSIX path inside the config repo, without `..` or a leading slash."""

EnvVarName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
"""The name of an environment variable."""

AGENT_READABLE_SCHEMES = ("http", "https", "ssh")
"""URL schemes an in-cluster GitOps agent can clone from."""


class Model(BaseModel):
    """Base of every config model: frozen, strict about unknown keys, camelCase aliases."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        use_attribute_docstrings=True,
        hide_input_in_errors=True,
    )


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
