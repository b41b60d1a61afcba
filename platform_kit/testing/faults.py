"""Fault injection for git tests: a TCP proxy on 127.0.0.1 that cuts push connections.

``CuttingProxy`` forwards to a ``git daemon`` (``git://``) and aborts (TCP RST) the
receive-pack connections it is told to, at one of two moments:

- ``"pack"``: halfway through the pack the client uploads (the server never sees a
  complete push, so it updates nothing);
- ``"status"``: after the server has applied the push, instead of relaying its
  report-status (the push landed, but the client never hears so).

Fetches pass through untouched, so a client that retries sees the real remote state.
"""

from __future__ import annotations

import selectors
import socket
import struct
import threading
from typing import Literal

HOST = "127.0.0.1"
CutAt = Literal["pack", "status"]


def _abort(sock: socket.socket) -> None:
    """Close with RST (linger 0), like a dropped network path, not a polite FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class _Link:
    """One proxied connection, pumped by one thread (so an abort really resets both sockets)."""

    def __init__(self, proxy: CuttingProxy, client: socket.socket, upstream: socket.socket) -> None:
        self.proxy, self.client, self.upstream = proxy, client, upstream
        self.push = False  # a git-receive-pack request
        self.pack_seen = False  # the client started sending its pack
        self.cut = False  # this connection is to be cut (decided once it is known to be a push)

    def run(self) -> None:
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self.client, selectors.EVENT_READ, (self._from_client, self.upstream))
                selector.register(self.upstream, selectors.EVENT_READ, (self._from_server, self.client))
                open_sides = 2
                while open_sides:
                    for key, _ in selector.select(timeout=30):
                        pump, other = key.data
                        verdict = pump()
                        if verdict == "cut":
                            return
                        if verdict == "eof":  # a half-close: pass it on, keep the other direction flowing
                            selector.unregister(key.fileobj)
                            other.shutdown(socket.SHUT_WR)
                            open_sides -= 1
        except OSError:
            return
        finally:
            _abort(self.client)
            _abort(self.upstream)

    def _from_client(self) -> str:
        data = self.client.recv(65536)
        if not data:
            return "eof"
        if not self.push and b"git-receive-pack" in data:
            self.push = True
            self.cut = self.proxy._take_cut()  # also counts the push
        if self.push and not self.pack_seen and b"PACK" in data:
            self.pack_seen = True
            if self.cut and self.proxy.cut_at == "pack":
                start = data.index(b"PACK")
                self.upstream.sendall(data[: start + max(12, (len(data) - start) // 2)])
                self.proxy._record("pack")
                return "cut"
        self.upstream.sendall(data)
        return "ok"

    def _from_server(self) -> str:
        data = self.upstream.recv(65536)
        if not data:
            return "eof"
        if self.cut and self.pack_seen and self.proxy.cut_at == "status":
            self.proxy._record("status")
            return "cut"
        self.client.sendall(data)
        return "ok"


class CuttingProxy:
    """TCP proxy to ``127.0.0.1:target_port`` that cuts the first ``cuts`` pushes (None: every push)."""

    def __init__(self, target_port: int, *, cut_at: CutAt = "pack", cuts: int | None = 1) -> None:
        self.target_port = target_port
        self.cut_at: CutAt = cut_at
        self.cuts_left = cuts
        self.cut_log: list[str] = []
        """One entry per connection cut, naming the moment (`pack` or `status`)."""
        self.connections = 0
        """Connections accepted so far (fetches and pushes)."""
        self.pushes = 0
        """Of those, receive-pack (push) connections."""
        self.port = 0
        self._lock = threading.Lock()
        self._server: socket.socket | None = None

    def url(self, repo_url: str) -> str:
        """``repo_url`` (a ``git://127.0.0.1:P/...`` URL) routed through this proxy."""
        prefix = f"git://{HOST}:{self.target_port}/"
        if not repo_url.startswith(prefix):
            raise ValueError(f"not a URL of the proxied daemon: {repo_url}")
        return f"git://{HOST}:{self.port}/" + repo_url[len(prefix) :]

    def _take_cut(self) -> bool:
        with self._lock:
            self.pushes += 1
            if self.cuts_left is None:
                return True
            if self.cuts_left > 0:
                self.cuts_left -= 1
                return True
            return False

    def _record(self, moment: str) -> None:
        with self._lock:
            self.cut_log.append(moment)

    def start(self) -> CuttingProxy:
        """Listen on a free port and start forwarding."""
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((HOST, 0))
        server.listen(16)
        self._server, self.port = server, server.getsockname()[1]
        threading.Thread(target=self._accept, name="cutting-proxy", daemon=True).start()
        return self

    def _accept(self) -> None:
        assert self._server is not None
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            try:
                upstream = socket.create_connection((HOST, self.target_port), timeout=10)
                upstream.settimeout(None)
            except OSError:
                _abort(client)
                continue
            threading.Thread(target=_Link(self, client, upstream).run, name="cutting-proxy-link", daemon=True).start()

    def stop(self) -> None:
        """Stop accepting connections (open links end when either side closes)."""
        if self._server is not None:
            self._server.close()
            self._server = None

    def __enter__(self) -> CuttingProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
