"""Real git servers on 127.0.0.1 for tests: ``git daemon`` and smart HTTP.

Both create bare repositories on demand under a root directory and stop
their server on exit. Pytest fixtures ``git_daemon`` and ``git_http_server``
are defined at the bottom (function scoped).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

HOST = "127.0.0.1"
HTTP_USER = "git"
HTTP_TOKEN = "s3cr3t-token-for-tests"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


def free_port() -> int:
    """A TCP port on HOST that was free a moment ago (for a test server to listen on)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _repo_dir(root: Path, name: str) -> Path:
    if not _NAME_RE.match(name) or ".." in name.split("/"):
        raise ValueError(f"invalid repository name {name!r}")
    return root / (name if name.endswith(".git") else f"{name}.git")


class _RepoRoot:
    """A directory of bare repositories (temporary unless given)."""

    def __init__(self, root: str | os.PathLike[str] | None) -> None:
        self._tmp = None if root is not None else tempfile.mkdtemp(prefix="pk-git-")
        self.root = Path(root if root is not None else self._tmp).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def create_repo(self, name: str, branch: str = "main") -> Path:
        """``git init --bare -b <branch>`` (idempotent); returns the repo path."""
        path = _repo_dir(self.root, name)
        if not (path / "HEAD").exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["git", "init", "-q", "--bare", "-b", branch, str(path)], check=True)
        return path

    def _cleanup(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


class _ProcessServer(_RepoRoot):
    """A server subprocess listening on ``self.port``."""

    port: int
    start_timeout: float
    _proc: subprocess.Popen[bytes] | None

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                return False
            try:
                socket.create_connection((HOST, self.port), timeout=0.5).close()
            except OSError:
                time.sleep(0.02)
                continue
            time.sleep(0.02)
            return self._proc.poll() is None
        return False

    def _terminate(self) -> None:
        if self._proc is not None:
            stop_process(self._proc)
        self._proc = None


class GitDaemon(_ProcessServer):
    """``git daemon`` with receive-pack enabled, on a random local port."""

    def __init__(self, root: str | os.PathLike[str] | None = None, *, start_timeout: float = 10.0) -> None:
        super().__init__(root)
        self.port = 0
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()

    def url(self, name: str) -> str:
        """``git://127.0.0.1:PORT/<name>.git``."""
        return f"git://{HOST}:{self.port}/{_repo_dir(self.root, name).relative_to(self.root)}"

    def start(self) -> GitDaemon:
        for _ in range(5):  # another process may grab the free port first
            self.port = free_port()
            self._proc = subprocess.Popen(
                [
                    "git",
                    "daemon",
                    "--reuseaddr",
                    f"--listen={HOST}",
                    f"--port={self.port}",
                    f"--base-path={self.root}",
                    "--export-all",
                    "--enable=receive-pack",
                    str(self.root),
                ],
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=self._log,
            )
            if self._wait_ready():
                return self
            self._terminate()
        raise RuntimeError(f"git daemon did not start: {self.log()}")

    def log(self) -> str:
        """What the daemon printed so far (for failing-test diagnostics)."""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        self._terminate()
        self._log.close()
        self._cleanup()

    def __enter__(self) -> GitDaemon:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _read_chunked(stream: Any) -> bytes:
    """Decode a ``Transfer-Encoding: chunked`` request body."""
    out = bytearray()
    while True:
        size = int(stream.readline().split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while stream.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return bytes(out)
        out += stream.read(size)
        stream.readline()


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class HttpGitServer(_RepoRoot):
    """Smart-HTTP git (``git http-backend`` as CGI) behind HTTP basic auth."""

    def __init__(
        self, root: str | os.PathLike[str] | None = None, *, username: str = HTTP_USER, token: str = HTTP_TOKEN
    ) -> None:
        super().__init__(root)
        self.username = username
        self.token = token
        self.port = 0
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status)
        self._server: _ThreadingWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def url(self, name: str) -> str:
        """``http://127.0.0.1:PORT/<name>.git`` (no credentials in it)."""
        return f"http://{HOST}:{self.port}/{_repo_dir(self.root, name).relative_to(self.root)}"

    def start(self) -> HttpGitServer:
        self._server = make_server(HOST, 0, self._app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="git-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self._server = self._thread = None
        self._cleanup()

    def __enter__(self) -> HttpGitServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _authorized(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return (user, password) == (self.username, self.token)

    def _app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        if not self._authorized(environ.get("HTTP_AUTHORIZATION", "")):
            self.requests.append((method, path, 401))
            start_response(
                "401 Unauthorized",
                [("WWW-Authenticate", 'Basic realm="git"'), ("Content-Type", "text/plain"), ("Content-Length", "13")],
            )
            return [b"unauthorized\n"]
        status, headers, body = self._cgi(environ)
        self.requests.append((method, path, int(status.split()[0])))
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def _cgi(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        stream = environ["wsgi.input"]
        if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
            body = _read_chunked(stream)
        else:
            body = stream.read(int(environ.get("CONTENT_LENGTH") or 0))
        env = {k: v for k, v in environ.items() if k.startswith("HTTP_") and k != "HTTP_AUTHORIZATION"}
        env.update(
            PATH=os.environ.get("PATH", "/usr/bin:/bin"),
            GIT_PROJECT_ROOT=str(self.root),
            GIT_HTTP_EXPORT_ALL="1",
            REMOTE_USER=self.username,
            REMOTE_ADDR=HOST,
            REQUEST_METHOD=environ["REQUEST_METHOD"],
            PATH_INFO=environ.get("PATH_INFO", ""),
            QUERY_STRING=environ.get("QUERY_STRING", ""),
            CONTENT_TYPE=environ.get("CONTENT_TYPE", ""),
            CONTENT_LENGTH=str(len(body)),
            GIT_PROTOCOL=environ.get("HTTP_GIT_PROTOCOL", ""),
        )
        proc = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False)
        head, sep, payload = proc.stdout.partition(b"\r\n\r\n")
        if not sep:
            head, sep, payload = proc.stdout.partition(b"\n\n")
        status, headers = "200 OK", []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = value.strip()
            elif name and name.lower() != "content-length":
                headers.append((name.strip(), value.strip()))
        if proc.returncode != 0 and not sep:
            return "500 Internal Server Error", [("Content-Type", "text/plain")], proc.stderr
        return status, headers, payload


class SshGitServer(_ProcessServer):
    """``sshd`` on a random local port that only accepts a generated key.

    Logs in as the current user; ``client_key`` and ``known_hosts`` are what a
    client needs (strict host key checking works against ``known_hosts``).
    """

    def __init__(self, root: str | os.PathLike[str] | None = None, *, start_timeout: float = 10.0) -> None:
        super().__init__(root)
        self.port = 0
        self.user = os.environ.get("USER") or __import__("getpass").getuser()
        self.start_timeout = start_timeout
        self.client_key = ""
        self.known_hosts = ""
        self._etc = Path(tempfile.mkdtemp(prefix="pk-sshd-"))
        self._proc: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> bool:
        """True when ``sshd`` and ``ssh-keygen`` are installed."""
        return bool(shutil.which("sshd") or Path("/usr/sbin/sshd").exists()) and bool(shutil.which("ssh-keygen"))

    def url(self, name: str) -> str:
        """``ssh://USER@127.0.0.1:PORT/<abs path>/<name>.git``."""
        return f"ssh://{self.user}@{HOST}:{self.port}{_repo_dir(self.root, name)}"

    def _keygen(self, name: str) -> Path:
        key = self._etc / name
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
        return key

    def start(self) -> SshGitServer:
        host_key, client_key = self._keygen("host_key"), self._keygen("client_key")
        self.client_key = client_key.read_text()
        (self._etc / "authorized_keys").write_text(client_key.with_suffix(".pub").read_text())
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation dir
        sshd = shutil.which("sshd") or "/usr/sbin/sshd"
        for _ in range(5):
            self.port = free_port()
            config = self._etc / "sshd_config"
            config.write_text(
                "\n".join(
                    [
                        f"Port {self.port}",
                        f"ListenAddress {HOST}",
                        f"HostKey {host_key}",
                        f"PidFile {self._etc / 'sshd.pid'}",
                        f"AuthorizedKeysFile {self._etc / 'authorized_keys'}",
                        "PubkeyAuthentication yes",
                        "PasswordAuthentication no",
                        "KbdInteractiveAuthentication no",
                        "UsePAM no",
                        "StrictModes no",
                        "PermitRootLogin prohibit-password",
                        f"AllowUsers {self.user}",
                        "AcceptEnv GIT_PROTOCOL",
                        "LogLevel ERROR",
                        "",
                    ]
                )
            )
            self._proc = subprocess.Popen(
                [sshd, "-D", "-e", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._wait_ready():
                pub = host_key.with_suffix(".pub").read_text().split()
                self.known_hosts = f"[{HOST}]:{self.port} {pub[0]} {pub[1]}\n"
                return self
            self._terminate()
        raise RuntimeError("sshd did not start")

    def stop(self) -> None:
        self._terminate()
        shutil.rmtree(self._etc, ignore_errors=True)
        self._cleanup()

    def __enter__(self) -> SshGitServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


try:
    import pytest
except ImportError:  # pragma: no cover - library use without pytest
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    def git_daemon(tmp_path: Path) -> Iterator[GitDaemon]:
        """A running ``git daemon`` serving bare repos under ``tmp_path``."""
        with GitDaemon(tmp_path / "git-daemon") as daemon:
            yield daemon

    @pytest.fixture
    def git_http_server(tmp_path: Path) -> Iterator[HttpGitServer]:
        """Smart-HTTP server; basic auth ``git`` / ``s3cr3t-token-for-tests``."""
        with HttpGitServer(tmp_path / "git-http", username=HTTP_USER, token=HTTP_TOKEN) as server:
            yield server

    @pytest.fixture
    def git_ssh_server(tmp_path: Path) -> Iterator[SshGitServer]:
        """sshd serving bare repos; skips the test when sshd is not installed."""
        if not SshGitServer.available():
            pytest.skip("sshd/ssh-keygen not installed (apt-get install openssh-server)")
        with SshGitServer(tmp_path / "git-ssh") as server:
            yield server


HUMAN_GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Human",
    "GIT_AUTHOR_EMAIL": "human@example.com",
    "GIT_COMMITTER_NAME": "Human",
    "GIT_COMMITTER_EMAIL": "human@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
}
"""Environment for the git CLI acting as a human in tests: fixed identity, no user or system config."""


def git(*args: str, cwd: str | os.PathLike[str] | None = None, check: bool = True) -> str:
    """Run the real git CLI as a human would (HUMAN_GIT_ENV); stdout, or AssertionError when it fails."""
    proc = subprocess.run(["git", *args], cwd=cwd, env=HUMAN_GIT_ENV, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate a server process, killing it if it has not exited within 5 s."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
