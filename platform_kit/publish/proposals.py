"""Opening a review request (pull request) for an upgrade branch, where the Git host has one.

`ProposalHost` is the small interface; `GitHubPullRequests` calls GitHub's REST API
(`POST /repos/{owner}/{repo}/pulls`) with the standard library; `NoProposals` is for
hosts without an API here (GitLab, Gitea, plain git): the branch alone is the proposal.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

from .auth import Scrubber
from .errors import PublishError

GITHUB_API = "https://api.github.com"
"""GitHub's REST API (GitHub Enterprise Server: `https://<host>/api/v3`)."""

GITHUB_API_VERSION = "2022-11-28"
"""Value of the `X-GitHub-Api-Version` header."""

_RETRY_STATUSES = frozenset({502, 503, 504})


class ProposalError(PublishError):
    """The host refused or failed to open the review request (the branch itself was pushed)."""


@dataclass(frozen=True)
class Proposal:
    """A request to merge `branch` into `base`."""

    branch: str
    """Branch holding the proposed change."""
    base: str
    """Branch to merge into."""
    title: str
    """One-line title."""
    body: str
    """Description (Markdown)."""


class ProposalHost(Protocol):
    """Where proposals become review requests."""

    def open(self, proposal: Proposal) -> str | None:
        """Open (or find the already open) review request; its web URL, or None if the host has none."""
        ...


class NoProposals:
    """Hosts without a review API here: the pushed branch is the whole proposal."""

    def open(self, proposal: Proposal) -> str | None:
        """Nothing to open; returns None."""
        return None


@dataclass(frozen=True)
class GitHubPullRequests:
    """Opens GitHub pull requests through the REST API."""

    owner: str
    """Repository owner (user or organisation)."""
    repo: str
    """Repository name."""
    token: str = field(repr=False)
    """Token allowed to create pull requests; sent only in the Authorization header."""
    api_url: str = GITHUB_API
    """REST API base URL."""
    timeout: float = 30.0
    """Seconds per HTTP request."""
    attempts: int = 3
    """Tries for 502/503/504 and dropped connections (not for 4xx: retrying cannot help)."""

    def open(self, proposal: Proposal) -> str | None:
        """`POST /repos/{owner}/{repo}/pulls`; an already open pull request for the branch is returned instead."""
        path = f"/repos/{quote(self.owner)}/{quote(self.repo)}/pulls"
        body = {"title": proposal.title, "head": proposal.branch, "base": proposal.base, "body": proposal.body}
        status, answer = self._request("POST", path, body)
        if status == 201:
            return str(answer.get("html_url", ""))
        if status == 422 and "already exists" in json.dumps(answer).lower():
            query = f"?state=open&head={quote(self.owner)}:{quote(proposal.branch, safe='')}"
            status, found = self._request("GET", path + query, None)
            if status == 200 and isinstance(found, list) and found:
                return str(found[0].get("html_url", ""))
            return None
        raise ProposalError(self._refusal(status, answer, proposal))

    def _refusal(self, status: int, answer: Any, proposal: Proposal) -> str:
        where = f"{self.api_url}/repos/{self.owner}/{self.repo}"
        if status in (401, 403) and not _rate_limited(answer):
            why = "the token was refused" if status == 401 else "the token may not create pull requests here"
            return f"cannot open a pull request for {proposal.branch} at {where}: {why} (HTTP {status})"
        message = answer.get("message", "") if isinstance(answer, dict) else ""
        scrub = Scrubber(self.token)
        return f"cannot open a pull request for {proposal.branch} at {where}: HTTP {status} {scrub(message)}".strip()

    def _request(self, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": GITHUB_API_VERSION,
            "User-Agent": "platform-kit",
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(1, self.attempts + 1):
            request = urllib.request.Request(self.api_url + path, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) only
                    return response.status, _json(response.read())
            except urllib.error.HTTPError as error:
                status, answer = error.code, _json(error.read())
                if status not in _RETRY_STATUSES or attempt == self.attempts:
                    return status, answer
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                if attempt == self.attempts:
                    reason = Scrubber(self.token)(getattr(error, "reason", error))
                    raise ProposalError(f"GitHub API unreachable at {self.api_url}: {reason}") from None
            time.sleep(0.2 * attempt)
        raise AssertionError("unreachable")  # pragma: no cover


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8")) if raw else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}


def _rate_limited(answer: Any) -> bool:
    return isinstance(answer, dict) and "rate limit" in str(answer.get("message", "")).lower()
