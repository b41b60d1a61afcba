"""A fake GitHub REST API on 127.0.0.1 that records every request (fixture `fake_github_api`).

It answers `POST /repos/{owner}/{repo}/pulls` like GitHub (201 with `html_url`, or 422
"A pull request already exists" for a head it has seen) and `GET .../pulls?head=...`.
Tests can queue canned answers (`respond_with`) to inject 401s, 5xxs and rate limits.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

HOST = "127.0.0.1"
_PULLS = re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/pulls$")


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake API received it."""

    method: str
    path: str
    headers: dict[str, str]
    """Header names lower-cased (HTTP header names are case-insensitive)."""
    body: Any


class FakeGitHubApi:
    """`http.server` on a free port, pretending to be `api.github.com`."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.pulls: dict[str, dict[str, Any]] = {}  # head branch -> pull request
        self._canned: list[tuple[int, Any]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """Base URL to use as `api_url`."""
        assert self._server is not None
        return f"http://{HOST}:{self._server.server_address[1]}"

    def respond_with(self, status: int, body: Any) -> None:
        """Answer the next request with this instead of the normal behaviour (queue several)."""
        self._canned.append((status, body))

    def start(self) -> FakeGitHubApi:
        """Serve on a free port in a background thread."""
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                self._answer(*api._handle(self, None))

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer(*api._handle(self, json.loads(raw or b"null")))

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def _handle(self, handler: BaseHTTPRequestHandler, body: Any) -> tuple[int, Any]:
        with self._lock:
            parts = urlsplit(handler.path)
            headers = {name.lower(): value for name, value in handler.headers.items()}
            self.requests.append(RecordedRequest(handler.command, handler.path, headers, body))
            if self._canned:
                return self._canned.pop(0)
            match = _PULLS.match(parts.path)
            if match is None:
                return 404, {"message": "Not Found"}
            if handler.command == "GET":
                head = parse_qs(parts.query).get("head", [""])[0].partition(":")[2]
                return 200, [pull for branch, pull in self.pulls.items() if branch == head]
            if body["head"] in self.pulls:
                message = f"A pull request already exists for {match['owner']}:{body['head']}."
                errors = [{"resource": "PullRequest", "code": "custom", "message": message}]
                return 422, {"message": "Validation Failed", "errors": errors}
            number = len(self.pulls) + 1
            pull = {
                "number": number,
                "html_url": f"https://github.example/{match['owner']}/{match['repo']}/pull/{number}",
                "head": {"ref": body["head"]},
                "base": {"ref": body["base"]},
                "title": body["title"],
            }
            self.pulls[body["head"]] = pull
            return 201, pull

    def stop(self) -> None:
        """Shut the server down."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGitHubApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


try:
    import pytest
except ImportError:  # pragma: no cover - library use without pytest
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    def fake_github_api() -> Iterator[FakeGitHubApi]:
        """A running fake GitHub REST API recording every request."""
        with FakeGitHubApi() as api:
            yield api
