"""Credentials, URL redaction and secret scrubbing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit, urlunsplit

REDACTED = "***"
# scheme://userinfo@ -- anything up to the first "/" that contains an "@".
_USERINFO_RE = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s]*)@")
# scheme://...?query or #fragment -- up to the next whitespace.
_TAIL_RE = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s?#]*)(?P<mark>[?#])\S*")


@dataclass(frozen=True)
class GitAuth:
    """How the publisher authenticates to the remote."""

    username: str | None = None
    """HTTPS basic-auth user (e.g. ``git`` or ``x-access-token``)."""
    token: str | None = field(default=None, repr=False)
    """HTTPS password/token; never printed."""
    ssh_private_key: str | None = field(default=None, repr=False)
    """OpenSSH private key content for ``ssh://`` (0600 temp file while in use)."""
    known_hosts: str | None = None
    """Pinned known_hosts line(s) for ``ssh://``; strict host key checking is on."""


def redact_url(url: str) -> str:
    """Replace the userinfo, query string and fragment of every URL in ``url`` with ``***``."""
    out = _USERINFO_RE.sub(lambda m: f"{m.group('scheme')}{REDACTED}@", url)
    return _TAIL_RE.sub(lambda m: f"{m.group('head')}{m.group('mark')}{REDACTED}", out)


def split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """Return ``(url_without_userinfo, username, password)`` for a URL."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, sep, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    return clean, unquote(user) or None, unquote(password) if sep else None


class Scrubber:
    """Removes known secrets (and any URL userinfo, query string and fragment) from text."""

    def __init__(self, *secrets: str | None) -> None:
        found: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            found.add(secret)
            found.add(quote(secret, safe=""))
            # Private keys: also hide each (long enough) line on its own.
            found.update(line.strip() for line in secret.splitlines() if len(line.strip()) >= 8)
        found.discard("")
        # Longest first so a secret that contains another is removed whole.
        self._secrets = sorted(found, key=len, reverse=True)

    def __call__(self, text: object) -> str:
        out = redact_url(str(text))
        for secret in self._secrets:
            out = out.replace(secret, REDACTED)
        return out
