"""Hostile servers on 127.0.0.1 that accept and never answer; real signals to a real `platform-kit seed`.

Issue 13 ("hangs and leftovers"): a git:// or ssh:// remote that never answers hung the seed
forever, an HTTP one took 241 s (4 x 60 s), Ctrl-C did not stop the ssh wait, and a seed killed
while ssh connected left the SSH private key in /tmp/platform-kit-ssh-* and an orphaned ssh.
Every test here failed on that code (it hung or left the key) and passes now; all use small
deadlines through `PLATFORM_KIT_CONNECT_TIMEOUT` / `PLATFORM_KIT_NETWORK_TIMEOUT` or the stack's
`repo.network`.
"""

from __future__ import annotations

import contextvars
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from stack_support import project_skeleton

from platform_kit.publish import GitAuth, publish_files
from platform_kit.publish.errors import NetworkTimeoutError, builtin_error
from platform_kit.publish.transport import NetworkLimits, network_deadline

REPO_ROOT = Path(__file__).resolve().parent.parent
FILES = {"README.md": "hello\n"}
FAST = {"PLATFORM_KIT_CONNECT_TIMEOUT": "1", "PLATFORM_KIT_NETWORK_TIMEOUT": "1.5"}
needs_ssh = pytest.mark.skipif(shutil.which("ssh") is None or shutil.which("ssh-keygen") is None, reason="no ssh")


class SilentServer:
    """Accepts every connection on 127.0.0.1 (random free port) and never sends a byte (no git, HTTP or SSH banner)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = threading.Event()
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)
            self.accepted.set()

    def close(self) -> None:
        self.sock.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def silent():
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def ssh_key(tmp_path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "id")], check=True)
    return (tmp_path / "id").read_text()


def known_hosts(port: int) -> str:
    # A syntactically valid pinned entry; the silent server never gets as far as presenting a key.
    return f"[127.0.0.1]:{port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"


def run_bounded(call, limit: float):
    """Run ``call`` in a thread; (finished, elapsed, exception). The old code never finished."""
    outcome: dict[str, BaseException | None] = {"error": None}

    def target() -> None:
        try:
            call()
        except BaseException as error:  # noqa: BLE001 - reported to the test
            outcome["error"] = error

    start = time.monotonic()
    context = contextvars.copy_context()  # the thread runs under the caller's network_deadline
    thread = threading.Thread(target=context.run, args=(target,), daemon=True)
    thread.start()
    thread.join(limit)
    return not thread.is_alive(), time.monotonic() - start, outcome["error"]


# --- deadlines, in process ---------------------------------------------------


@pytest.mark.parametrize("scheme", ["git", "http"])
def test_silent_git_and_http_servers_fail_at_the_overall_deadline(silent, monkeypatch, scheme):
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)
    url = f"{scheme}://127.0.0.1:{silent.port}/cfg.git"
    done, elapsed, error = run_bounded(lambda: publish_files(url, FILES), 15)
    print(f"{scheme}: {error} after {elapsed:.2f} s")
    assert done, f"{scheme}:// seed still hanging after {elapsed:.0f} s"
    assert isinstance(error, NetworkTimeoutError) and error.deadline == "overall", error
    # One overall deadline (1.5 s), not 4 read-timeout retries (6 s) or a hang; loose upper bound for loaded machines.
    assert 1.4 <= elapsed < 5.5, elapsed
    assert str(error) == (
        f"network deadline passed: {url} did not finish within 1.5 s "
        "(overall timeout: repo.network.timeoutSeconds or PLATFORM_KIT_NETWORK_TIMEOUT)"
    )
    assert isinstance(builtin_error(error), TimeoutError)  # what the Pulumi engine sees


@needs_ssh
def test_silent_ssh_server_fails_at_the_connect_deadline_and_leaves_nothing(silent, ssh_key, monkeypatch, tmp_path):
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    auth = GitAuth(ssh_private_key=ssh_key, known_hosts=known_hosts(silent.port))
    url = f"ssh://git@127.0.0.1:{silent.port}/cfg.git"
    done, elapsed, error = run_bounded(lambda: publish_files(url, FILES, auth=auth), 15)
    assert done, f"ssh:// seed still hanging after {elapsed:.0f} s"
    assert isinstance(error, NetworkTimeoutError), error
    assert elapsed < 10, elapsed  # the 1 s connect deadline, not a hang (ssh has no banner timeout of its own)
    assert str(error).startswith(f"connect deadline passed: no SSH banner to ssh://***@127.0.0.1:{silent.port}/cfg.git")
    assert list((tmp_path / "tmp").iterdir()) == []
    assert ssh_processes(silent.port) == []


@needs_ssh
def test_ssh_overall_deadline_kills_ssh_even_when_its_connect_timeout_is_longer(silent, ssh_key, tmp_path):
    auth = GitAuth(ssh_private_key=ssh_key, known_hosts=known_hosts(silent.port))
    url = f"ssh://git@127.0.0.1:{silent.port}/cfg.git"
    with network_deadline(NetworkLimits(connect=30, overall=1.0)):
        done, elapsed, error = run_bounded(lambda: publish_files(url, FILES, auth=auth), 15)
    assert done and isinstance(error, NetworkTimeoutError) and error.deadline == "overall", error
    assert elapsed < 15, elapsed  # the 1 s overall deadline, not ssh's 30 s connect timeout
    assert ssh_processes(silent.port) == []


def test_a_connect_that_never_completes_fails_at_the_connect_deadline(monkeypatch):
    """A full accept queue drops SYNs, like a firewalled host: connect() itself hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    try:
        for _ in range(8):  # fill the backlog; later connects stay in SYN_SENT
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.2)
        probe = socket.socket()
        probe.settimeout(0.5)
        try:
            probe.connect(("127.0.0.1", port))
            pytest.skip("the kernel accepted past the backlog; cannot emulate a dropped SYN here")
        except TimeoutError:
            pass
        finally:
            probe.close()
        url = f"git://127.0.0.1:{port}/cfg.git"
        with network_deadline(NetworkLimits(connect=0.5, overall=30)):
            done, elapsed, error = run_bounded(lambda: publish_files(url, FILES), 10)
        assert done and isinstance(error, NetworkTimeoutError) and error.deadline == "connect", error
        assert str(error).startswith(f"connect deadline passed: no connection to {url} within 0.5 s")
        assert elapsed < 15, elapsed  # the 0.5 s connect deadline, not the 30 s overall one
    finally:
        for filler in fillers:
            filler.close()
        server.close()


def test_env_limits_win_over_the_stack_and_bad_values_are_refused():
    assert NetworkLimits.resolve(env={}) == NetworkLimits(10, 120)
    assert NetworkLimits.resolve(5, 60, env={}) == NetworkLimits(5, 60)
    assert NetworkLimits.resolve(5, 60, env={"PLATFORM_KIT_NETWORK_TIMEOUT": "2"}) == NetworkLimits(5, 2)
    for bad in ("0", "-1", "soon", "nan", "inf"):
        with pytest.raises(ValueError, match="PLATFORM_KIT_CONNECT_TIMEOUT must be a positive number of seconds"):
            NetworkLimits.resolve(env={"PLATFORM_KIT_CONNECT_TIMEOUT": bad})


# --- the real CLI, real signals ---------------------------------------------


def ssh_processes(port: int) -> list[int]:
    """Live (not zombie) processes whose command line is an ssh to ``port``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if argv and argv[0].endswith(b"ssh") and str(port).encode() in argv and state != "Z":
            found.append(int(entry.name))
    return found


def wait_gone(port: int, within: float) -> list[int]:
    deadline = time.monotonic() + within
    while (left := ssh_processes(port)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def write_stack(project: Path, url: str, port: int, network: dict | None = None) -> None:
    repo = {
        "url": url,
        "agentUrl": "https://git.example.com/org/platform-config.git",
        "credentials": {"kind": "ssh", "privateKeyEnv": "HOSTILE_TEST_KEY", "knownHosts": known_hosts(port)},
    }
    if network:
        repo["network"] = network
    config = {
        "platform:environment": "dev",
        "platform:cluster": {"kind": "existing", "name": "dev", "kubeconfig": {"path": "~/.kube/config"}},
        "platform:gitops": {"agent": "flux"},
        "platform:repo": repo,
    }
    (project / "stacks" / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))


@pytest.fixture
def cli(tmp_path, ssh_key):
    """Start `python -m platform_kit.cli seed` with a private TMPDIR; yields a starter."""
    project = project_skeleton(tmp_path / "project")
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    started: list[subprocess.Popen] = []

    def start(url: str, port: int, network: dict | None = None, **env: str) -> subprocess.Popen:
        write_stack(project, url, port, network)
        environ = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
            "TMPDIR": str(private_tmp),
            "HOSTILE_TEST_KEY": ssh_key,
            "PLATFORM_KIT_CONNECT_TIMEOUT": "30",
            "PLATFORM_KIT_NETWORK_TIMEOUT": "60",
            **env,
        }
        command = [sys.executable, "-m", "platform_kit.cli", "seed", "--stack", "dev", "--project", str(project)]
        proc = subprocess.Popen(command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append(proc)
        return proc

    start.tmp = private_tmp  # type: ignore[attr-defined]
    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def wait_connected(server: SilentServer, proc: subprocess.Popen) -> None:
    if not server.accepted.wait(90):
        proc.kill()
        pytest.fail(f"the seed never connected: {proc.communicate()[1]}")
    time.sleep(0.3)  # ssh is now blocked reading the banner


def stop_and_time(proc: subprocess.Popen, signum: int) -> tuple[float, str]:
    start = time.monotonic()
    proc.send_signal(signum)
    try:
        _, stderr = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, stderr = proc.communicate()
        pytest.fail(f"still running 10 s after {signal.Signals(signum).name}: {stderr[-500:]}")
    elapsed = time.monotonic() - start
    print(f"{signal.Signals(signum).name}: exit {proc.returncode} after {elapsed:.2f} s")
    return elapsed, stderr


def key_files(tmp: Path, key: str) -> list[Path]:
    body = key.strip().splitlines()[1]
    return [p for p in tmp.rglob("*") if p.is_file() and body in p.read_text(errors="replace")]


@needs_ssh
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_while_ssh_waits_stops_the_seed_and_leaves_no_key_or_ssh(cli, silent, ssh_key, signum, code):
    url = f"ssh://git@127.0.0.1:{silent.port}/cfg.git"
    proc = cli(url, silent.port)
    wait_connected(silent, proc)
    children = ssh_processes(silent.port)
    assert children, "ssh is not running"
    for pid in children:  # the key is not in ssh's argv, nor in any file
        assert ssh_key.strip().splitlines()[1].encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
    assert key_files(cli.tmp, ssh_key) == []
    elapsed, stderr = stop_and_time(proc, signum)
    assert proc.returncode == code, stderr
    assert elapsed < 15, elapsed  # the signal ended it, not the 30 s connect / 60 s overall deadlines
    assert "Traceback" not in stderr
    name = signal.Signals(signum).name
    assert stderr.strip().splitlines() == [f"error: interrupted by {name}; stopped (nothing further was sent)"]
    assert wait_gone(silent.port, 1.0) == []
    assert list(cli.tmp.iterdir()) == []


@needs_ssh
def test_sigkill_while_ssh_waits_leaves_no_key_and_ssh_dies_with_it(cli, silent, ssh_key):
    url = f"ssh://git@127.0.0.1:{silent.port}/cfg.git"
    proc = cli(url, silent.port)
    wait_connected(silent, proc)
    assert ssh_processes(silent.port)
    proc.kill()
    proc.wait(5)
    assert wait_gone(silent.port, 2.0) == []  # PR_SET_PDEATHSIG
    assert key_files(cli.tmp, ssh_key) == []  # the key only ever lived in memory
    assert list(cli.tmp.glob("platform-kit-ssh-*")) == []


@pytest.mark.parametrize("scheme", ["git", "http"])
def test_sigint_during_a_network_read_stops_the_seed(cli, silent, scheme):
    proc = cli(f"{scheme}://127.0.0.1:{silent.port}/cfg.git", silent.port)
    wait_connected(silent, proc)
    elapsed, stderr = stop_and_time(proc, signal.SIGINT)
    assert proc.returncode == 130, stderr
    assert elapsed < 15, elapsed  # the signal ended it, not the 30 s connect / 60 s overall deadlines
    assert "Traceback" not in stderr and "interrupted by SIGINT" in stderr


@needs_ssh
def test_cli_deadline_from_the_stack_file_is_one_plain_line(cli, silent):
    url = f"ssh://git@127.0.0.1:{silent.port}/cfg.git"
    proc = cli(url, silent.port, {"connectTimeoutSeconds": 30, "timeoutSeconds": 1}, PLATFORM_KIT_NETWORK_TIMEOUT="")
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, stderr
    assert stderr.strip().splitlines() == [
        f"error: network deadline passed: ssh://***@127.0.0.1:{silent.port}/cfg.git did not finish within 1 s "
        "(overall timeout: repo.network.timeoutSeconds or PLATFORM_KIT_NETWORK_TIMEOUT)"
    ]
    assert wait_gone(silent.port, 1.0) == []


def test_cli_refuses_a_bad_deadline_setting(cli, silent):
    proc = cli(f"git://127.0.0.1:{silent.port}/cfg.git", silent.port, PLATFORM_KIT_NETWORK_TIMEOUT="soon")
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert stderr.strip() == "error: PLATFORM_KIT_NETWORK_TIMEOUT must be a positive number of seconds, not 'soon'"
