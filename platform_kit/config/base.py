"""Shared building blocks of the config models: the strict base model and constrained types."""

from __future__ import annotations

import re
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
