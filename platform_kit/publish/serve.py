"""Serve a project's bare repos (`.gitops/*.git`) over git smart HTTP, for agents in a local cluster.

dulwich's WSGI app (`dulwich.web`) speaks the protocol; this module adds what it leaves to the
embedder: which repositories exist (only `<root>/<name>.git`, a bare repo, no symlink, looked up
per request so a repo seeded after start is served too), who may push (HTTP basic auth carrying
the token; reads are open), responses buffered with a Content-Length (libgit2 clients need it),
a threaded server and request logs without credentials. No Pulumi, no working tree.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import re
import stat
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer, make_server

from dulwich.errors import NotGitRepository
from dulwich.repo import Repo
from dulwich.server import Backend
from dulwich.web import make_wsgi_chain

log = logging.getLogger("platform_kit.serve")

REPO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.git$")
"""One path segment ending in `.git`; no `/`, no leading dot (so never `.` or `..`)."""
RECEIVE_PACK = "git-receive-pack"

StartResponse = Callable[..., Any]


def repository_path(root: Path, url_path: str | bytes) -> Path:
    """The bare repo `url_path` (`/<name>.git`) names under `root`, or NotGitRepository.

    Refuses anything but a single `<name>.git` segment, symlinks, and directories that are not
    bare repositories, so no URL reaches a file outside `root`.
    """
    if isinstance(url_path, bytes):
        url_path = url_path.decode("utf-8", "replace")
    name = url_path[1:] if url_path.startswith("/") else url_path
    if not REPO_NAME.match(name):
        raise NotGitRepository(f"no repository {name!r}")
    path = root / name
    try:
        mode = path.lstat().st_mode
    except OSError:
        raise NotGitRepository(f"no repository {name!r}") from None
    if not stat.S_ISDIR(mode) or path.resolve().parent != root or not (path / "HEAD").is_file():
        raise NotGitRepository(f"no repository {name!r}")
    return path


class GitopsBackend(Backend):
    """A dulwich backend for the bare repos directly under one directory."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def open_repository(self, path: str | bytes) -> Repo:  # type: ignore[override]
        repo = Repo(str(repository_path(self.root, path)))
        if not repo.bare:
            repo.close()
            raise NotGitRepository(f"{path!r} is not a bare repository")
        return repo

    def repositories(self) -> list[str]:
        """The names served right now, sorted."""
        if not self.root.is_dir():
            return []
        names = []
        for child in sorted(self.root.iterdir()):
            try:
                repository_path(self.root, child.name)
            except NotGitRepository:
                continue
            names.append(child.name)
        return names


def _is_push(environ: dict[str, Any]) -> bool:
    path = environ.get("PATH_INFO", "")
    if path.endswith("/" + RECEIVE_PACK):
        return True
    services = parse_qs(environ.get("QUERY_STRING", "")).get("service", [])
    return path.endswith("/info/refs") and RECEIVE_PACK in services


def _password(header: str) -> str | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        _user, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return password if sep else None


def _plain(start_response: StartResponse, status: str, text: str, extra: list[tuple[str, str]] = ()) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), *extra])
    return [body]


def make_app(
    root: str | Path, *, push_token: str | None = None
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI app: clones and fetches for anyone; pushes only with basic auth whose password is `push_token`.

    Without a token every push is refused (403). A push without or with wrong credentials gets
    401 with a `WWW-Authenticate` challenge, so git asks its credential helper.
    """
    backend = GitopsBackend(root)
    git_app = make_wsgi_chain(backend)
    token = push_token.encode() if push_token else None

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if _is_push(environ):
            if token is None:
                return _plain(start_response, "403 Forbidden", "pushes are disabled (serve --token-env)\n")
            password = _password(environ.get("HTTP_AUTHORIZATION", ""))
            if password is None or not hmac.compare_digest(password.encode(), token):
                return _plain(
                    start_response,
                    "401 Unauthorized",
                    "push needs the token (HTTP basic auth password)\n",
                    [("WWW-Authenticate", 'Basic realm="platform-kit"')],
                )
        name, sep, _ = environ.get("PATH_INFO", "").removeprefix("/").partition("/")
        try:
            if not sep:
                raise NotGitRepository("not a repository path")
            repository_path(backend.root, name)
            return _buffered(git_app, environ, start_response)
        except NotGitRepository:  # dulwich's dumb-HTTP file routes do not turn it into a 404 themselves
            return _plain(start_response, "404 Not Found", "not found\n")

    app.backend = backend  # type: ignore[attr-defined]
    return app


def _buffered(
    app: Callable[..., Iterable[bytes]], environ: dict[str, Any], start_response: StartResponse
) -> list[bytes]:
    """Run `app` to completion and answer with one body and its Content-Length."""
    chunks: list[bytes] = []
    started: list[Any] = []

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        started[:] = [status, [h for h in headers if h[0].lower() != "content-length"]]
        return chunks.append

    result = app(environ, capture)
    try:
        for chunk in result:
            chunks.append(chunk)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = started or ("500 Internal Server Error", [("Content-Type", "text/plain")])
    body = b"".join(chunks)
    start_response(status, [*headers, ("Content-Length", str(len(body)))])
    return [body]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _Handler(WSGIRequestHandler):
    """Logs one line per request: client, method, path (no query, no headers, so no credentials), status."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = self.path.split("?", 1)[0]
        log.info("%s %s %s %s", self.client_address[0], self.command, path, code)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - errors only
        log.warning("%s %s", self.client_address[0], format % args)

    def handle(self) -> None:  # wsgiref's handle without its stderr error dump
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _QuietServerHandler(self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True)
        handler.request_handler = self
        handler.run(self.server.get_app())


class _QuietServerHandler(ServerHandler):
    def log_exception(self, exc_info: Any) -> None:
        log.error("request failed: %s", exc_info[1])


class GitopsServer:
    """`GitopsServer(root, address, port, push_token=...)`: `start()` in a thread or `serve_forever()`; `stop()`."""

    def __init__(
        self, root: str | Path, address: str = "127.0.0.1", port: int = 8080, *, push_token: str | None = None
    ):
        self.app = make_app(root, push_token=push_token)
        self._server = make_server(address, port, self.app, server_class=_Server, handler_class=_Handler)
        self._thread: threading.Thread | None = None

    @property
    def root(self) -> Path:
        return self.app.backend.root  # type: ignore[attr-defined]

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def url(self, name: str = "") -> str:
        host, port = self.address
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/{name}"

    def repositories(self) -> list[str]:
        return self.app.backend.repositories()  # type: ignore[attr-defined]

    def serve_forever(self) -> None:
        """Serve in this thread until `stop()` (from another thread) or an exception such as SystemExit."""
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._server.server_close()

    def start(self) -> GitopsServer:
        self._thread = threading.Thread(target=self.serve_forever, name="gitops-serve", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> GitopsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
