"""Remote descriptions, dulwich client construction and error translation.

Every network operation runs against a deadline (`NetworkLimits`): a connect timeout (TCP connect,
TLS, SSH's connection and banner) and an overall one (every connection, read and retry of one
seed, or of one client when no `network_deadline` is active). When the overall deadline passes a
watchdog cuts the connection (socket shutdown, HTTP response shutdown, SIGKILL of ssh's process
group). `abort_all` does the same at once (the CLI's SIGINT/SIGTERM handler calls it).

ssh reads the private key and the pinned known_hosts from memory: an anonymous `memfd` of this
process, opened by ssh as `/proc/<pid>/fd/<n>`, so no key is ever written to a file system and
none outlives the process, even a SIGKILLed one. Without memfd (not Linux) they are written to a
private (0700) temp dir removed on every exit path the process lives through. ssh runs in its own
process group, is killed with it and (Linux) gets SIGKILL when this process dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from dulwich.client import (
    GitClient,
    HTTPProxyUnauthorized,
    HTTPUnauthorized,
    LocalGitClient,
    SSHGitClient,
    SSHVendor,
    SubprocessWrapper,
    TCPGitClient,
    Urllib3HttpGitClient,
)
from dulwich.errors import GitProtocolError, HangupException, NotGitRepository, SendPackError
from dulwich.protocol import DEFAULT_GIT_PROTOCOL_VERSION_FETCH, DEFAULT_GIT_PROTOCOL_VERSION_SEND, Protocol
from urllib3 import Timeout
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.retry import Retry

from platform_kit.config.base import is_scp_like, scp_to_ssh

from .auth import GitAuth, Scrubber, redact_url, split_userinfo
from .errors import (
    AuthenticationError,
    NetworkSettingError,
    NetworkTimeoutError,
    PublishError,
    PushRejectedError,
    RemoteUnreachableError,
    network_reason,
)

CONNECT_TIMEOUT_ENV = "PLATFORM_KIT_CONNECT_TIMEOUT"
NETWORK_TIMEOUT_ENV = "PLATFORM_KIT_NETWORK_TIMEOUT"
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_NETWORK_TIMEOUT = 120.0
HTTP_CONNECT_RETRIES = 2
"""Extra attempts to connect over HTTP (never after the overall deadline); reads are not retried."""

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


# --- deadlines ---------------------------------------------------------------


@dataclass(frozen=True)
class NetworkLimits:
    """Deadlines in seconds: `connect` (TCP, TLS, SSH banner) and `overall` (everything, retries included)."""

    connect: float = DEFAULT_CONNECT_TIMEOUT
    overall: float = DEFAULT_NETWORK_TIMEOUT

    @classmethod
    def resolve(
        cls, connect: float | None = None, overall: float | None = None, env: Mapping[str, str] | None = None
    ) -> NetworkLimits:
        """The environment (`PLATFORM_KIT_CONNECT_TIMEOUT`, `PLATFORM_KIT_NETWORK_TIMEOUT`) over the given values
        (the stack file's `repo.network`) over the defaults (10 s, 120 s)."""
        env = os.environ if env is None else env
        return cls(
            _seconds(env, CONNECT_TIMEOUT_ENV, connect, DEFAULT_CONNECT_TIMEOUT),
            _seconds(env, NETWORK_TIMEOUT_ENV, overall, DEFAULT_NETWORK_TIMEOUT),
        )


def _seconds(env: Mapping[str, str], name: str, given: float | None, default: float) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return float(given) if given is not None else default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise NetworkSettingError(f"{name} must be a positive number of seconds, not {raw!r}")
    return value


class _Budget:
    """One overall deadline shared by every connection made while it is active."""

    def __init__(self, limits: NetworkLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.overall

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0.05

    def connect_timeout(self) -> float:
        return max(min(self.limits.connect, self.remaining()), 0.01)

    def check(self, where: str) -> None:
        if self.remaining() <= 0:
            raise self.overall_error(where)

    def overall_error(self, where: str) -> NetworkTimeoutError:
        return NetworkTimeoutError(
            f"network deadline passed: {where} did not finish within {self.limits.overall:g} s "
            f"(overall timeout: repo.network.timeoutSeconds or {NETWORK_TIMEOUT_ENV})",
            "overall",
        )

    def connect_error(self, where: str, what: str = "no connection") -> NetworkTimeoutError:
        if self.remaining() <= self.limits.connect and self.remaining() <= 0.05:
            return self.overall_error(where)
        return NetworkTimeoutError(
            f"connect deadline passed: {what} to {where} within {self.limits.connect:g} s "
            f"(connect timeout: repo.network.connectTimeoutSeconds or {CONNECT_TIMEOUT_ENV})",
            "connect",
        )


_BUDGET: ContextVar[_Budget | None] = ContextVar("platform_kit_network_budget", default=None)


@contextlib.contextmanager
def network_deadline(limits: NetworkLimits | None = None) -> Iterator[NetworkLimits]:
    """Run the block under one overall deadline (default `NetworkLimits.resolve()`), shared by every client it opens."""
    limits = limits or NetworkLimits.resolve()
    token = _BUDGET.set(_Budget(limits))
    try:
        yield limits
    finally:
        _BUDGET.reset(token)


def deadline_remaining() -> float | None:
    """Seconds left of the active `network_deadline` (None outside one)."""
    budget = _BUDGET.get()
    return None if budget is None else budget.remaining()


# --- watchdog and cleanup ----------------------------------------------------

_LIVE: set[_Guard] = set()
_LIVE_LOCK = threading.RLock()


class _Guard:
    """What one open client must undo: cut at the deadline, and on `abort_all` (signals) or exit."""

    def __init__(self, budget: _Budget) -> None:
        self.budget = budget
        self.fired = False
        self._lock = threading.RLock()
        self._undo: list[Callable[[], None]] = []
        self._timer = threading.Timer(max(budget.remaining(), 0.0), self.fire)
        self._timer.daemon = True

    def __enter__(self) -> _Guard:
        with _LIVE_LOCK:
            _LIVE.add(self)
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        self.run_all()
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def add(self, undo: Callable[[], None]) -> None:
        with self._lock:
            self._undo.append(undo)
            late = self.fired
        if late:
            self.run_all()

    def fire(self) -> None:
        """The overall deadline passed: cut every connection (the blocked read returns, the caller reports it)."""
        self.fired = True
        self.run_all()

    def run_all(self) -> None:
        with self._lock:
            undo, self._undo = self._undo, []
        for action in reversed(undo):
            with contextlib.suppress(Exception):
                action()


def abort_all() -> None:
    """Kill every ssh this process started, cut every connection and drop every key copy, now.

    Safe to call from a signal handler (the CLI's SIGINT/SIGTERM handling does)."""
    with _LIVE_LOCK:
        guards = list(_LIVE)
    for guard in guards:
        guard.fired = True
        guard.run_all()


def _shutdown_socket(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


# --- clients -----------------------------------------------------------------


@contextlib.contextmanager
def open_client(remote: Remote) -> Iterator[GitClient]:
    """Yield a dulwich client for ``remote`` under the active deadline; its connections, ssh and keys die with it."""
    if remote.kind == "local":
        yield LocalGitClient()
        return
    budget = _BUDGET.get() or _Budget(NetworkLimits.resolve())
    budget.check(remote.display)
    try:
        with _Guard(budget) as guard:
            client = _client(remote, budget, guard)
            try:
                yield client
            finally:
                if isinstance(client, Urllib3HttpGitClient):
                    client.close()
    except NetworkTimeoutError:
        raise
    except Exception as exc:
        timeout = _timeout_error(exc, budget, remote)
        if timeout is None:
            raise
        raise timeout from None


def _timeout_error(exc: BaseException, budget: _Budget, remote: Remote) -> NetworkTimeoutError | None:
    """The deadline behind ``exc``, if one passed."""
    if budget.expired():
        return budget.overall_error(remote.display)
    if _caused_by(exc, ConnectTimeoutError, NewConnectionError):  # urllib3's refused is a ConnectTimeoutError too
        return budget.connect_error(remote.display)
    if isinstance(exc, HangupException):
        said = b" ".join(exc.stderr_lines or []).decode("utf-8", "replace").lower()
        if "banner exchange" in said and "timed out" in said:
            return budget.connect_error(remote.display, "no SSH banner")
        if "connection timed out" in said or "operation timed out" in said:
            return budget.connect_error(remote.display)
    return None


def _caused_by(exc: BaseException, kind: type[BaseException], unless: type[BaseException]) -> bool:
    seen, todo = set(), [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind) and not isinstance(current, unless):
            return True
        todo += [
            linked
            for linked in (getattr(current, "reason", None), current.__cause__, current.__context__)
            if isinstance(linked, BaseException)
        ]
    return False


def _client(remote: Remote, budget: _Budget, guard: _Guard) -> GitClient:
    parts = urlsplit(remote.url)
    if remote.kind == "git":
        return _DeadlineTCPGitClient(parts.hostname or "", parts.port, budget=budget, guard=guard, where=remote.display)
    if remote.kind == "http":
        user = remote.auth.username or ("git" if remote.auth.token else None)
        return _DeadlineHttpGitClient(
            remote.url, username=user, password=remote.auth.token, budget=budget, guard=guard, where=remote.display
        )
    return _ssh_client(remote, budget, guard)


class _FilterAware:
    """Records that a server did not offer the ``filter`` a fetch asked for (see ``partial.py``).

    dulwich logs a warning then and fetches whole objects; for a seed that is the expected fallback."""

    filter_ignored = False
    """Whether a fetch by this client asked for a filter the server does not offer."""

    def _warn_filter_objects(self) -> None:
        self.filter_ignored = True


class _DeadlineTCPGitClient(_FilterAware, TCPGitClient):
    """git://: connect within the connect timeout; every read within the overall deadline; cut when it passes."""

    def __init__(self, host: str, port: int | None, *, budget: _Budget, guard: _Guard, where: str) -> None:
        super().__init__(host, port)
        self._budget, self._guard, self._where = budget, guard, where

    def _connect(self, cmd, path, protocol_version=None):  # type: ignore[no-untyped-def]
        if not isinstance(path, bytes):
            path = path.encode(self._remote_path_encoding)
        self._budget.check(self._where)
        try:
            sock = socket.create_connection((self._host, self._port), timeout=self._budget.connect_timeout())
        except TimeoutError:
            raise self._budget.connect_error(self._where) from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(max(self._budget.remaining(), 0.01))
        self._guard.add(lambda: _shutdown_socket(sock))
        rfile, wfile = sock.makefile("rb", -1), sock.makefile("wb", 0)

        def close() -> None:
            rfile.close()
            wfile.close()
            sock.close()

        def shutdown_write() -> None:
            wfile.flush()
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_WR)

        proto = Protocol(
            rfile.read, wfile.write, close, report_activity=self._report_activity, shutdown_write=shutdown_write
        )
        if path.startswith(b"/~"):
            path = path[1:]
        # As dulwich's TCPGitClient: protocol v0 for pushes, v2 by default for fetches (hidden behind two NULs).
        if cmd == b"upload-pack":
            self.protocol_version = DEFAULT_GIT_PROTOCOL_VERSION_FETCH if protocol_version is None else protocol_version
        else:
            self.protocol_version = DEFAULT_GIT_PROTOCOL_VERSION_SEND
        v2_fetch = cmd == b"upload-pack" and self.protocol_version == 2
        version = b"\0\0version=%d\0" % self.protocol_version if v2_fetch else b""
        proto.send_cmd(b"git-" + cmd, path, b"host=" + self._host.encode("ascii") + version)
        return proto, lambda: _readable(sock), None


def _readable(sock: socket.socket) -> bool:
    import select

    return bool(select.select([sock], [], [], 0)[0])


class _DeadlineRetry(Retry):
    """urllib3 retries that never start after the overall deadline."""

    deadline: float = math.inf

    def new(self, **kw):  # type: ignore[no-untyped-def]
        retry = super().new(**kw)
        retry.deadline = self.deadline
        return retry

    def is_exhausted(self) -> bool:
        return time.monotonic() >= self.deadline or super().is_exhausted()


class _DeadlineHttpGitClient(_FilterAware, Urllib3HttpGitClient):
    """http(s)://: per request, connect within the connect timeout and read within the overall deadline;
    connects retried at most twice, reads never; a body still streaming at the deadline is cut."""

    def __init__(self, url: str, *, budget: _Budget, guard: _Guard, where: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(url, **kwargs)
        self._budget, self._guard, self._where = budget, guard, where
        retry = _DeadlineRetry(total=None, connect=HTTP_CONNECT_RETRIES, read=0, status=0, other=0, redirect=5)
        retry.deadline = budget.deadline
        self.pool_manager.connection_pool_kw["retries"] = retry

    def _http_request(self, url, headers=None, data=None, raise_for_status=True):  # type: ignore[no-untyped-def]
        self._budget.check(self._where)
        remaining = max(self._budget.remaining(), 0.01)
        self._timeout = Timeout(connect=self._budget.connect_timeout(), read=remaining)  # type: ignore[assignment]
        resp, read = super()._http_request(url, headers, data, raise_for_status)
        self._guard.add(resp.shutdown)
        return resp, read


# --- ssh ---------------------------------------------------------------------


class _Secrets:
    """Files ssh must read (key, known_hosts): memfd on Linux, else a private (0700) temp dir."""

    def __init__(self) -> None:
        self._fds: list[int] = []
        self._dir: str | None = None

    def file(self, name: str, text: str) -> str:
        data = (text.strip() + "\n").encode("utf-8")
        if hasattr(os, "memfd_create"):
            fd = os.memfd_create(f"platform-kit-{name}", os.MFD_CLOEXEC)
            self._fds.append(fd)
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            path = f"/proc/{os.getpid()}/fd/{fd}"
            if os.access(path, os.R_OK):
                return path
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="platform-kit-ssh-")  # 0700
        path = os.path.join(self._dir, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return path

    def close(self) -> None:
        fds, self._fds = self._fds, []
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


class _SSHGitClient(_FilterAware, SSHGitClient):
    """dulwich's ssh client, aware of filters the server does not offer."""


def _ssh_client(remote: Remote, budget: _Budget, guard: _Guard) -> SSHGitClient:
    parts = urlsplit(remote.url)
    secrets = _Secrets()
    guard.add(secrets.close)
    patience = str(max(1, math.ceil(budget.limits.connect)))
    opts = ["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", f"ConnectTimeout={patience}"]
    opts += ["-o", f"ServerAliveInterval={patience}", "-o", "ServerAliveCountMax=3"]
    if remote.auth.known_hosts is not None:
        hosts = secrets.file("known_hosts", remote.auth.known_hosts)
        opts += ["-o", f"UserKnownHostsFile={hosts}", "-o", "GlobalKnownHostsFile=/dev/null"]
    if remote.auth.ssh_private_key is not None:
        key = secrets.file("id_key", remote.auth.ssh_private_key)
        opts += ["-o", "IdentitiesOnly=yes", "-o", f"IdentityFile={key}"]
    return _SSHGitClient(
        parts.hostname or "",
        port=parts.port,
        username=remote.auth.username,
        vendor=_SshVendor(budget, guard, remote.display),
        ssh_command=shlex.join(opts),
    )


_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            proc.wait(timeout=1)


class _SshProcess(SubprocessWrapper):
    """dulwich's pipe wrapper, but closing never waits past a moment: a stuck ssh is killed."""

    def close(self, timeout: int | None = None) -> None:
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream:
                with contextlib.suppress(OSError):
                    stream.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            _kill_group(self.proc)


class _SshVendor(SSHVendor):
    """Run ssh as dulwich's SubprocessSSHVendor does, in its own process group, dying with this process."""

    def __init__(self, budget: _Budget, guard: _Guard, where: str) -> None:
        self._budget, self._guard, self._where = budget, guard, where

    def run_command(  # type: ignore[override]
        self,
        host: str,
        command: bytes,
        username: str | None = None,
        port: int | None = None,
        password: str | None = None,
        key_filename: str | None = None,
        ssh_command: str | None = None,
        protocol_version: int | None = None,
    ) -> SubprocessWrapper:
        if password is not None or key_filename is not None:
            raise ValueError("ssh passwords and key files are not supported; use an in-memory private key")
        self._budget.check(self._where)
        args = [*shlex.split(ssh_command or "ssh"), "-x"]
        if port:
            args += ["-p", str(port)]
        if protocol_version:
            args += ["-o", f"SetEnv GIT_PROTOCOL=version={protocol_version}"]
        target = f"{username}@{host}" if username else host
        if target.startswith("-"):
            raise ValueError(f"refusing an ssh host that starts with '-': {target!r}")
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [*args, target, command],
            bufsize=0,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_die_with_parent if _LIBC is not None else None,  # noqa: PLW1509
        )
        self._guard.add(lambda: _kill_group(proc))
        return _SshProcess(proc)


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


__all__ = [
    "NetworkLimits",
    "Remote",
    "abort_all",
    "network_deadline",
    "open_client",
    "parse_remote",
    "redact_url",
    "translate",
]
