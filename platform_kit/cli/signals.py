"""SIGINT and SIGTERM for the CLI: stop within a second, no traceback, nothing left behind.

On the first SIGINT (exit 130) or SIGTERM (exit 143, 128 + the signal number as shells report
it) the handler kills every ssh the seed started (their process groups), cuts open connections,
drops the in-memory key copies (`platform_kit.publish.transport.abort_all`), prints one line and
leaves by raising `SystemExit`, so `finally` blocks (lock files of a local repo) still run. If
that unwinding takes longer than `GRACE_SECONDS`, or a second signal arrives, the process exits
at once (`os._exit`). A SIGKILLed CLI runs nothing: its ssh dies by PR_SET_PDEATHSIG (Linux)
and its key copies were only ever in memory (memfd), so nothing is left either way.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
GRACE_SECONDS = 0.8
_stopping = threading.Event()


def install() -> Callable[[], None]:
    """Handle SIGINT and SIGTERM as above (main thread only); returns what puts the previous handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {signum: signal.signal(signum, _handle) for signum in EXIT_CODES}

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore


def _handle(signum: int, frame: FrameType | None) -> None:
    code = EXIT_CODES.get(signal.Signals(signum), 128 + signum)
    _abort_network()
    if _stopping.is_set():
        os._exit(code)
    _stopping.set()
    name = signal.Signals(signum).name
    try:
        sys.stderr.write(f"error: interrupted by {name}; stopped (nothing further was sent)\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    timer = threading.Timer(GRACE_SECONDS, os._exit, args=(code,))
    timer.daemon = True
    timer.start()
    raise SystemExit(code)


def _abort_network() -> None:
    transport = sys.modules.get("platform_kit.publish.transport")
    if transport is not None:
        transport.abort_all()
