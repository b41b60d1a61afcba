"""Shared building blocks of the config models: the strict base model and constrained types."""

from __future__ import annotations

import functools
import re
import types
from fractions import Fraction
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic.alias_generators import to_camel

from platform_kit.config import validator_cache

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

    __slots__ = ("given",)

    def __init__(self, given: bool) -> None:
        self.given = given

    def __repr__(self) -> str:
        return "true" if self.given else "false"  # as the stack file spells it, for the error message


def expects_number(annotation: Any) -> bool:
    """Whether a field's type is a number (int/float, a Literal of numbers, or optional/union of those)."""
    if get_origin(annotation) is Annotated:
        return expects_number(get_args(annotation)[0])
    if annotation in (int, float):
        return True
    if get_origin(annotation) is Literal:
        return any(type(value) in (int, float) for value in get_args(annotation))
    if get_origin(annotation) in (Union, types.UnionType):
        return any(expects_number(arg) for arg in get_args(annotation))
    return False


class Model(BaseModel):
    """Base of every config model: frozen, strict about unknown keys, camelCase aliases, no booleans as numbers."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        hide_input_in_errors=True,
        defer_build=True,  # built on first use, or taken from the validator cache (validator_cache.py)
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        validator_cache.install(cls)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_as_number(cls, data: Any) -> Any:
        """Refuse `true`/`false` for a number: pydantic's lax mode would read them as 1/0 (a count of one)."""
        if not isinstance(data, dict):
            return data
        booleans = [key for key in _number_keys(cls) if isinstance(data.get(key), bool)]
        return {**data, **{key: _NotANumber(data[key]) for key in booleans}} if booleans else data


@functools.cache
def _number_keys(model: type[BaseModel]) -> frozenset[str]:
    """The input keys (field names and aliases) of `model`'s number-typed fields, worked out once per class."""
    return frozenset(
        key
        for name, info in model.model_fields.items()
        if expects_number(info.annotation)
        for key in (name, info.alias or name)
    )


_SCHEME_RE = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_SSH_USER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$")
_TOKEN_PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "gldt-", "glcbt-", "xox", "atbb")
_HOST_LIKE_RE = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
SSH_SCHEMES = ("ssh", "git+ssh", "ssh+git")
"""Schemes Git treats as SSH."""

REPO_CREDENTIALS_HINT = "put the token or key under `credentials` instead"
"""How to fix a secret in the config repo's URL."""
CLUSTER_CREDENTIALS_HINT = "give the agent the repository's credentials in the cluster (a Secret), never in the URL"
"""How to fix a secret in a repository URL the agent only allows."""
PUBLIC_URL_HINT = "a public URL carries no credentials (they would be copied into the cluster, the state and the repo)"
"""Why a public URL carries no secret."""


def is_scp_like(url: str) -> bool:
    """Git's rule for `[user@]host:path`: no `<scheme>://`, a `:` before the first `/`, not a drive letter `C:`."""
    if _SCHEME_RE.match(url) or _DRIVE_RE.match(url):
        return False
    colon, slash = url.find(":"), url.find("/")
    return colon > 0 and (slash < 0 or colon < slash)


def split_scp(url: str) -> tuple[str | None, str, str]:
    """`(user, host, path)` of an scp-style `[user@]host:path` remote."""
    head, _, path = url.partition(":")
    user, at, host = head.rpartition("@")
    return (user if at else None), host, path


def scp_to_ssh(url: str) -> str:
    """The `ssh://` URL of an scp-style remote: `git@host:org/r.git` -> `ssh://git@host/org/r.git`.

    A relative path becomes absolute, as Git hosts (GitHub, GitLab, Gitea, Bitbucket) and Argo CD treat it;
    `host:~/r.git` stays home-relative (`ssh://host/~/r.git`).
    """
    user, host, path = split_scp(url)
    return f"ssh://{user + '@' if user else ''}{host}/{path.lstrip('/')}"


def url_scheme(url: str) -> str:
    """The URL's scheme: `ssh` for an scp-style `[user@]host:path`, `file` for a local path."""
    if _SCHEME_RE.match(url):
        return urlsplit(url).scheme.lower()
    return "ssh" if is_scp_like(url) else "file"


def _scheme_name(scheme: str) -> str:
    return f"`{scheme}`" if len(scheme) <= 12 and scheme.isalpha() else "of this URL"


def _check_ssh_user(user: str, hint: str) -> None:
    if not _SSH_USER_RE.match(user) or user.lower().startswith(_TOKEN_PREFIXES):
        raise ValueError(
            f"the SSH user name looks like a token (not redisplayed); SSH logs in as a plain user such as `git`: {hint}"
        )


def _check_local_path(url: str) -> str:
    first, _, rest = url.partition("/")
    if url.startswith(("/", "./", "../", "~")) or url in (".", ".."):
        return url
    if "@" in first or (_HOST_LIKE_RE.match(first) and not first.endswith(".git") and "/" in rest):
        raise ValueError(
            "looks like a remote without a scheme, not a local path: write https://…, ssh://… or "
            "`user@host:path`; if it really is a local directory, start it with `./`"
        )
    return url


def check_remote_url(url: str, schemes: tuple[str, ...], hint: str) -> str:
    """Validate a Git remote (or local path when `file` is allowed) and return it normalized.

    Refuses, without ever repeating the URL: user info in http(s), git and file URLs (a token as user
    name is as secret as a password), a password or token-like user name in SSH URLs, any query string
    or fragment, whitespace and control characters, an invalid port. scp-style remotes become `ssh://`.
    """
    if not url:
        raise ValueError("must not be empty")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ValueError("must not contain spaces, line breaks or control characters")
    if "?" in url:
        raise ValueError(f"must not have a query string (`?…`, not redisplayed): {hint}")
    if "#" in url:
        raise ValueError(f"must not have a fragment (`#…`, not redisplayed): {hint}")
    scheme = url_scheme(url)
    if scheme not in schemes:
        allowed = ", ".join("a local path" if s == "file" else f"{s}://" for s in schemes)
        raise ValueError(f"unsupported scheme {_scheme_name(scheme)} (use {allowed})")
    if is_scp_like(url):
        user, host, path = split_scp(url)
        if user is not None:
            _check_ssh_user(user, hint)
        if not host or "[" in host or "]" in host or not path:
            raise ValueError("an scp-style SSH remote is `[user@]host:path`; with a port: ssh://user@host:port/path")
        return scp_to_ssh(url)
    if scheme == "file" and not _SCHEME_RE.match(url):
        return _check_local_path(url)
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValueError("has an invalid port (not redisplayed)") from None
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at and scheme in SSH_SCHEMES:
        user, colon, _ = userinfo.partition(":")
        if colon:
            raise ValueError(f"must not embed a password or token (`user:…@`, not redisplayed): {hint}")
        _check_ssh_user(user, hint)
    elif at:
        raise ValueError(f"must not embed a user name, password or token (`…@`, not redisplayed): {hint}")
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError("a file:// URL names no host: file:///absolute/path")
    elif not parts.hostname:
        raise ValueError("needs a host")
    return url


def _http_url(url: str) -> str:
    if url_scheme(url) not in ("http", "https") or not urlsplit(url).netloc:
        raise ValueError("must be an http(s):// URL with a host")
    check_remote_url(url, ("http", "https"), PUBLIC_URL_HINT)
    return url.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_http_url)]
"""An http(s) URL without credentials, query or fragment; a trailing `/` is dropped."""


def _repo_url(url: str) -> str:
    return check_remote_url(url, ("file", "git", "http", "https", "ssh"), REPO_CREDENTIALS_HINT)


def _agent_url(url: str) -> str:
    return check_remote_url(url, AGENT_READABLE_SCHEMES, REPO_CREDENTIALS_HINT)


def _source_repo(url: str) -> str:
    return check_remote_url(url, AGENT_READABLE_SCHEMES, CLUSTER_CREDENTIALS_HINT)


RepoUrl = Annotated[str, AfterValidator(_repo_url)]
"""Where the seed publishes: a local path, `file://`, `git://`, `http(s)://`, `ssh://` or scp-style `user@host:path`
(stored as `ssh://`); no credentials, query or fragment."""

AgentRepoUrl = Annotated[str, AfterValidator(_agent_url)]
"""A repo URL the in-cluster agent clones with the repo's `credentials`: http(s)://, ssh:// or scp-style."""

SourceRepoUrl = Annotated[str, AfterValidator(_source_repo)]
"""A repository the agent may deploy from (http(s)://, ssh:// or scp-style; Argo CD globs allowed in the path);
no credentials, query or fragment."""
