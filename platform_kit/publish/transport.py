"""Remote descriptions, dulwich client construction and error translation."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from dulwich.client import (
    GitClient,
    HTTPProxyUnauthorized,
    HTTPUnauthorized,
    LocalGitClient,
    SSHGitClient,
    SubprocessSSHVendor,
    TCPGitClient,
    Urllib3HttpGitClient,
)
from dulwich.errors import GitProtocolError, HangupException, NotGitRepository, SendPackError

from platform_kit.config.base import is_scp_like, scp_to_ssh

from .auth import GitAuth, Scrubber, redact_url, split_userinfo
from .errors import AuthenticationError, PublishError, PushRejectedError, RemoteUnreachableError, network_reason

HTTP_TIMEOUT = 60.0
_FINGERPRINT_RE = re.compile(r"SHA256:[A-Za-z0-9+/=]+")
_AUTH_HINTS = (
    "permission denied",
    "authentication failed",
    "host key verification failed",
    "no matching host key",
    "could not read username",
)


@dataclass(frozen=True)
class Remote:
    """A parsed remote: where it is, how to log in, how to print it."""

    kind: str  # "local" | "git" | "http" | "ssh"
    url: str  # without userinfo password
    path: str  # repository path as the transport expects it
    display: str  # redacted, safe to print
    auth: GitAuth
    scrub: Scrubber

    @property
    def local_path(self) -> Path | None:
        return Path(self.path) if self.kind == "local" else None


def parse_remote(url: str, auth: GitAuth | None) -> Remote:
    """Classify ``url`` by Git's rules; credentials in the URL are moved into the auth.

    ``[user@]host:path`` (no ``://``, a ``:`` before the first ``/``, not a drive letter ``C:``) is SSH,
    read as ``ssh://[user@]host/path``, never a local directory of that name. A query string or fragment
    is refused (a token there would be sent to the server and printed); the error does not repeat it.
    """
    if not isinstance(url, str) or not url:
        raise ValueError("url must be a non-empty string")
    auth = auth or GitAuth()
    if is_scp_like(url):
        url = scp_to_ssh(url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower() if "://" in url else ""
    clean, user, password = split_userinfo(url) if scheme else (url, None, None)
    scrub = Scrubber(auth.token, auth.ssh_private_key, password)
    display = scrub(url)
    if "?" in url or "#" in url:
        raise ValueError(f"a remote URL must not have a query string or fragment: {display}")
    if scheme == "file":
        return Remote("local", clean, unquote(parts.path), display, auth, scrub)
    if scheme == "git":
        return Remote("git", clean, parts.path, display, auth, scrub)
    if scheme in ("http", "https"):
        merged = GitAuth(auth.username or user, auth.token or password, None, None)
        return Remote("http", clean, parts.path, display, merged, scrub)
    if scheme in ("ssh", "git+ssh", "ssh+git"):
        merged = GitAuth(user or auth.username, None, auth.ssh_private_key, auth.known_hosts)
        return Remote("ssh", clean, parts.path, display, merged, scrub)
    if scheme:
        raise ValueError(f"unsupported URL scheme {scheme!r} in {display}")
    return Remote("local", url, os.path.abspath(os.path.expanduser(url)), display, auth, scrub)


@contextlib.contextmanager
def open_client(remote: Remote) -> Iterator[GitClient]:
    """Yield a dulwich client for ``remote``; temp key files die with it."""
    if remote.kind == "local":
        yield LocalGitClient()
        return
    if remote.kind == "git":
        parts = urlsplit(remote.url)
        yield TCPGitClient(parts.hostname or "", parts.port)
        return
    if remote.kind == "http":
        user = remote.auth.username or ("git" if remote.auth.token else None)
        client = Urllib3HttpGitClient(remote.url, username=user, password=remote.auth.token, timeout=HTTP_TIMEOUT)
        try:
            yield client
        finally:
            client.close()
        return
    with tempfile.TemporaryDirectory(prefix="platform-kit-ssh-") as tmp:
        yield _ssh_client(remote, Path(tmp))


def _ssh_client(remote: Remote, tmp: Path) -> SSHGitClient:
    parts = urlsplit(remote.url)
    opts = ["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"]
    if remote.auth.known_hosts is not None:
        hosts = tmp / "known_hosts"
        hosts.write_text(remote.auth.known_hosts.strip() + "\n")
        opts += ["-o", f"UserKnownHostsFile={hosts}", "-o", "GlobalKnownHostsFile=/dev/null"]
    if remote.auth.ssh_private_key is not None:
        key = tmp / "id_key"
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(remote.auth.ssh_private_key.strip() + "\n")
        opts += ["-o", "IdentitiesOnly=yes", "-o", f"IdentityFile={key}"]
    return SSHGitClient(
        parts.hostname or "",
        port=parts.port,
        username=remote.auth.username,
        vendor=SubprocessSSHVendor(),
        ssh_command=shlex.join(opts),
    )


def translate(exc: BaseException, remote: Remote) -> PublishError | None:
    """Map a transport exception to a PublishError (None: not ours, re-raise)."""
    where = remote.display
    if isinstance(exc, PublishError):
        return exc
    if isinstance(exc, (HTTPUnauthorized, HTTPProxyUnauthorized)):
        return AuthenticationError(f"authentication failed for {where}")
    if isinstance(exc, SendPackError):
        reason = remote.scrub(_text(exc))
        return PushRejectedError(f"push to {where} rejected: {reason}", reason)
    if isinstance(exc, HangupException):
        lines = (ln.decode("utf-8", "replace").strip() for ln in exc.stderr_lines or [])
        detail = remote.scrub("; ".join(ln for ln in lines if ln))
        if "host key verification failed" in detail.lower():
            return AuthenticationError(_host_key_message(where, detail))
        if any(hint in detail.lower() for hint in _AUTH_HINTS):
            return AuthenticationError(f"authentication failed for {where}: {detail}")
        return RemoteUnreachableError(
            f"remote unreachable: {where}" + (f": {detail}" if detail else ": the server hung up (no such repository?)")
        )
    reason = network_reason(exc) if isinstance(exc, (GitProtocolError, OSError)) else None
    if reason is not None:  # a socket failure, not the library's dump (urllib3: "Max retries exceeded ...")
        return RemoteUnreachableError(f"remote unreachable: {where}: {remote.scrub(reason)}")
    if isinstance(exc, GitProtocolError):
        detail = remote.scrub(_text(exc))
        if re.search(r"\bhttp resp 403\b", detail):
            return AuthenticationError(f"authentication failed for {where}: access denied (HTTP 403)")
        return RemoteUnreachableError(f"remote unreachable: {where}: {detail}")
    if isinstance(exc, NotGitRepository):
        return RemoteUnreachableError(f"remote unreachable: {where}: not a git repository")
    if isinstance(exc, (OSError, EOFError)):
        detail = remote.scrub(_text(exc))
        return RemoteUnreachableError(f"remote unreachable: {where}: {detail}")
    return None


def _host_key_message(where: str, detail: str) -> str:
    """One line instead of ssh's banner: what failed, and the fingerprint the server presented."""
    seen = _FINGERPRINT_RE.search(detail)
    presented = f"; the server presented {seen.group(0).rstrip('.')}" if seen else ""
    return (
        f"host key verification failed for {where}: the server's SSH host key does not match "
        f"the pinned knownHosts entry{presented}"
    )


def _text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if text != "None" else type(exc).__name__


__all__ = ["Remote", "open_client", "parse_remote", "redact_url", "translate"]
