"""Hostile files (issue 13): `render --out` never destroys what it did not write, a killed render leaves
the previous one intact, and a broken `--out` or stack file is exit 2 with one plain message.

Every test reproduces a report of the hostile tester; none may print a traceback.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from stack_support import existing_cluster_stack, project_skeleton

from platform_kit.cli import main
from platform_kit.config import ConfigError, load_stack_file
from platform_kit.inflate import Inflation
from platform_kit.inflate.scope import Scopes
from platform_kit.offline.preview import RENDER_MARKER, RenderOutputError, StackRun, run_stack, write_render
from platform_kit.offline.preview_inflate import write_inflated

REPO_ROOT = Path(__file__).resolve().parent.parent
IS_ROOT = os.geteuid() == 0

STACK = existing_cluster_stack("dev")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = project_skeleton(tmp_path / "project")
    (root / "stacks" / "Pulumi.dev.yaml").write_text(yaml.safe_dump(STACK, sort_keys=False))
    return root


@pytest.fixture(scope="module")
def run() -> StackRun:
    """One offline run of the repo's dev stack, written many times below."""
    return run_stack(REPO_ROOT, "dev")


def invoke(*args: Any):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def snapshot(directory: Path) -> dict[str, bytes | str]:
    """Every path under directory -> its bytes (files) or `dir`/`link -> target`."""
    tree: dict[str, bytes | str] = {}
    for path in sorted(directory.rglob("*")):
        key = path.relative_to(directory).as_posix()
        if path.is_symlink():
            tree[key] = f"link -> {os.readlink(path)}"
        elif path.is_dir():
            tree[key] = "dir"
        else:
            tree[key] = path.read_bytes()
    return tree


def siblings(out: Path) -> list[str]:
    """What lies next to out besides out and the test's project (staging directories, say)."""
    return sorted(p.name for p in out.parent.iterdir() if p.name not in (out.name, "project"))


# --- render --out: what is ours, what is not ---------------------------------


def test_render_refuses_a_users_clone_at_config_repo_and_leaves_it_whole(run, tmp_path):
    out = tmp_path / "out"
    clone = out / "config-repo"
    subprocess.run(["git", "init", "-q", str(clone)], check=True)
    (clone / "work-in-progress.yaml").write_text("uncommitted: true\n")
    before = snapshot(out)
    with pytest.raises(RenderOutputError, match=r"config-repo"):
        write_render(run, out)
    assert snapshot(out) == before
    assert siblings(out) == []  # no staging directory left behind


def test_cli_render_into_a_foreign_directory_exits_2_naming_the_files(project, tmp_path):
    out = tmp_path / "out"
    (out / "config-repo" / ".git").mkdir(parents=True)
    (out / "notes.txt").write_text("mine\n")
    before = snapshot(out)
    result = invoke("render", "--stack", "dev", "--out", out, "--project", project)
    assert result.exit_code == 2, result.output
    assert "config-repo" in result.output and "notes.txt" in result.output
    assert str(out) in result.output
    assert snapshot(out) == before


def test_render_replaces_its_own_output_and_records_what_it_wrote(run, tmp_path):
    out = tmp_path / "out"
    write_render(run, out)
    marker = json.loads((out / RENDER_MARKER).read_text())
    assert "plan.json" in marker["files"] and "summary.md" in marker["files"]
    assert any(path.startswith("config-repo/") for path in marker["files"])
    first = snapshot(out)
    write_render(run, out)  # ours: replaced
    assert snapshot(out) == first
    assert siblings(out) == []


def test_render_into_an_empty_or_missing_directory(run, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    write_render(run, empty)
    write_render(run, tmp_path / "deep" / "missing")
    assert (empty / "plan.json").is_file() and (tmp_path / "deep" / "missing" / "config-repo").is_dir()


def test_render_refuses_a_file_added_inside_its_own_output(run, tmp_path):
    out = tmp_path / "out"
    write_render(run, out)
    (out / "config-repo" / ".git").mkdir()
    (out / "config-repo" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    before = snapshot(out)
    with pytest.raises(RenderOutputError, match=r"config-repo/\.git"):
        write_render(run, out)
    assert snapshot(out) == before


def test_render_refuses_a_config_repo_symlink_without_following_it(run, tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    write_render(run, out)
    (elsewhere / "keep").mkdir(parents=True)
    (elsewhere / "keep" / "file").write_text("precious\n")
    import shutil

    shutil.rmtree(out / "config-repo")
    (out / "config-repo").symlink_to(elsewhere)
    with pytest.raises(RenderOutputError, match=r"config-repo"):
        write_render(run, out)
    assert (out / "config-repo").is_symlink() and (elsewhere / "keep" / "file").read_text() == "precious\n"


def test_render_refuses_plan_json_that_is_a_directory(project, tmp_path):
    out = tmp_path / "out"
    (out / "plan.json" / "inner").mkdir(parents=True)
    result = invoke("render", "--stack", "dev", "--out", out, "--project", project)
    assert result.exit_code == 2 and "plan.json" in result.output
    assert (out / "plan.json" / "inner").is_dir()


def test_render_with_a_file_as_parent_exits_2(project, tmp_path):
    (tmp_path / "afile").write_text("x")
    result = invoke("render", "--stack", "dev", "--out", tmp_path / "afile" / "out", "--project", project)
    assert result.exit_code == 2 and "error:" in result.output and str(tmp_path / "afile") in result.output


def test_render_with_out_being_a_file_exits_2(project, tmp_path):
    (tmp_path / "afile").write_text("x")
    result = invoke("render", "--stack", "dev", "--out", tmp_path / "afile", "--project", project)
    assert result.exit_code == 2 and (tmp_path / "afile").read_text() == "x"


def test_inflated_is_part_of_the_same_output(run, tmp_path):
    out = tmp_path / "out"
    inflation = Inflation(sources=[], not_inflated=["nothing here"], undefined_variables={}, scopes=Scopes())
    write_render(run, out, partial(write_inflated, inflation))
    assert json.loads((out / "inflated" / "inflation.json").read_text())["notInflated"] == ["nothing here"]
    assert "inflated/inflation.json" in json.loads((out / RENDER_MARKER).read_text())["files"]
    (out / "inflated" / "my-notes.md").write_text("x")
    with pytest.raises(RenderOutputError, match=r"inflated/my-notes\.md"):
        write_render(run, out)
    (out / "inflated" / "my-notes.md").unlink()
    write_render(run, out)  # a render without --inflate drops the earlier inflated/ (it wrote it)
    assert not (out / "inflated").exists()


@pytest.mark.skipif(IS_ROOT, reason="root ignores directory permissions (the read-only tmpfs test covers root)")
def test_render_into_a_read_only_directory_exits_2(project, tmp_path):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        result = invoke("render", "--stack", "dev", "--out", parent / "out", "--project", project)
    finally:
        parent.chmod(0o755)
    assert result.exit_code == 2 and "error:" in result.output


def _mount_tmpfs(where: Path, options: str) -> None:
    if not IS_ROOT:
        pytest.skip("mounting a tmpfs needs root")
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")


@pytest.fixture
def tmpfs(tmp_path):
    mounts: list[Path] = []

    def mount(options: str) -> Path:
        where = tmp_path / f"mnt{len(mounts)}"
        _mount_tmpfs(where, options)
        mounts.append(where)
        return where

    yield mount
    for where in mounts:
        subprocess.run(["umount", str(where)], check=False)


def test_render_onto_a_read_only_filesystem_exits_2(project, tmpfs):
    mount = tmpfs("ro,size=64k")
    result = invoke("render", "--stack", "dev", "--out", mount / "out", "--project", project)
    assert result.exit_code == 2, result.output
    assert "read-only" in result.output.lower()


def test_render_onto_a_full_disk_exits_2_and_leaves_the_previous_render(run, project, tmpfs, tmp_path):
    mount = tmpfs("size=64k")
    small = mount / "out"
    write_render(StackRun(stack="dev", config=None, registrations=[]), small)  # a tiny render fits
    before = snapshot(small)
    result = invoke("render", "--stack", "dev", "--out", small, "--project", project)
    assert result.exit_code == 2, result.output
    assert "no space left" in result.output.lower()
    assert snapshot(small) == before
    assert sorted(p.name for p in mount.iterdir()) == ["out"]  # the partial staging directory is gone


KILLED_RENDER = """
import sys, time
import platform_kit.offline.preview as preview

point, count = sys.argv[1], int(sys.argv[2])
written = 0
original_write, original_swap = preview._write_file, preview._swap

def write(path, content):
    global written
    original_write(path, content)
    written += 1
    if point == "write" and written == count:
        print("PAUSED", flush=True)
        time.sleep(600)

def swap(staging, out):
    if point == "swap":
        print("PAUSED", flush=True)
        time.sleep(600)
    original_swap(staging, out)

preview._write_file, preview._swap = write, swap
from platform_kit.cli import main
main(sys.argv[3:])
"""


@pytest.mark.parametrize(("point", "count"), [("write", 3), ("swap", 0)])
def test_a_render_killed_midway_leaves_the_previous_render_intact(project, tmp_path, point, count):
    out = tmp_path / "out"
    assert invoke("render", "--stack", "dev", "--out", out, "--project", project).exit_code == 0
    before = snapshot(out)
    stack_file = project / "stacks" / "Pulumi.dev.yaml"
    changed = yaml.safe_load(stack_file.read_text())
    changed["config"]["platform:repo"]["branch"] = "changed"
    stack_file.write_text(yaml.safe_dump(changed))
    args = ["render", "--stack", "dev", "--out", str(out), "--project", str(project)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_RENDER, point, str(count), *args], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "PAUSED"
        assert [name for name in siblings(out) if name.startswith(".out.")]  # the staging dir exists
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert snapshot(out) == before
    # the next render takes over, and clears the dead one's staging directory
    assert invoke("render", "--stack", "dev", "--out", out, "--project", project).exit_code == 0
    assert b"changed" in (out / "plan.json").read_bytes()
    assert siblings(out) == []


# --- stack files ---------------------------------------------------------------


def _stack_file(project: Path, data: bytes) -> Path:
    path = project / "stacks" / "Pulumi.dev.yaml"
    path.write_bytes(data)
    return path


def assert_user_error(project: Path, tmp_path: Path, *needles: str, commands=("validate", "render", "seed")) -> None:
    for command in commands:
        extra = ["--out", tmp_path / "out"] if command == "render" else ["--plan"] if command == "seed" else []
        result = invoke(command, "--stack", "dev", *extra, "--project", project)
        assert result.exit_code == 2, f"{command}: {result.output}"
        for needle in needles:
            assert needle in result.output, f"{command}: {result.output}"


def test_empty_stack_file_is_exit_2_naming_the_file(project, tmp_path):
    path = _stack_file(project, b"")
    assert_user_error(project, tmp_path, str(path))


@pytest.mark.parametrize("document", [b"- a\n- b\n", b"just a string\n", b"config:\n  - a\n", b"config: 3\n"])
def test_stack_file_of_the_wrong_shape_is_exit_2(project, tmp_path, document):
    path = _stack_file(project, document)
    assert_user_error(project, tmp_path, str(path), "must be a mapping")


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"# caf\xe9 au lait\n" + yaml.safe_dump(STACK).encode(), "not UTF-8 (line 1"),
        (yaml.safe_dump(STACK).encode("utf-16"), "UTF-16"),
        (yaml.safe_dump(STACK).encode("utf-16-le"), "UTF-16"),
        (yaml.safe_dump(STACK).encode("utf-16-be"), "UTF-16"),
    ],
    ids=["latin-1-in-a-comment", "utf-16-bom", "utf-16-le", "utf-16-be"],
)
def test_stack_file_that_is_not_utf8_is_exit_2(project, tmp_path, data, needle):
    path = _stack_file(project, data)
    assert_user_error(project, tmp_path, str(path), needle)


def test_a_utf8_bom_is_fine(project):
    _stack_file(project, b"\xef\xbb\xbf" + yaml.safe_dump(STACK).encode())
    assert load_stack_file(project, "dev").environment == "dev"


def test_a_directory_named_like_the_stack_file_is_exit_2(project, tmp_path):
    path = project / "stacks" / "Pulumi.dev.yaml"
    path.unlink()
    path.mkdir()
    assert_user_error(project, tmp_path, str(path), "not a file")


@pytest.mark.skipif(IS_ROOT, reason="root reads a chmod 000 file (the directory case covers an unreadable path)")
def test_unreadable_stack_file_is_exit_2(project, tmp_path):
    path = project / "stacks" / "Pulumi.dev.yaml"
    path.chmod(0)
    try:
        assert_user_error(project, tmp_path, str(path), "cannot read")
    finally:
        path.chmod(0o644)


def test_unreadable_stack_file_is_a_config_error(project, monkeypatch):
    """As root chmod cannot block reads: make the read itself fail the way EACCES does."""
    path = project / "stacks" / "Pulumi.dev.yaml"
    original = Path.read_bytes

    def denied(self):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(ConfigError, match="cannot read.*Permission denied"):
        load_stack_file(project, "dev")


ALIAS_BOMB = (
    "\n".join(
        [
            "config:",
            "  platform:environment: dev",
            '  bomb:a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        ]
        + [f"  bomb:{b}: &{b} [{', '.join([f'*{a}'] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
        + ["  platform:teams: *i"]
    )
    + "\n"
)
"""A billion laughs: 9**9 strings from a 1 KB file, under a key the platform config validates."""


MEASURED_CLI = """
import resource, sys
from platform_kit.cli import main
try:
    main(sys.argv[1:])
finally:
    try:  # this process image's own high-water mark; ru_maxrss also counts the forked pytest before exec
        peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"PEAK_KB={peak}", file=sys.stderr)
"""


def _peak_rss_mb(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the CLI in a child capped at 1 GiB of address space (a runaway expansion dies there, not the machine)."""
    limit = 1 << 30

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", MEASURED_CLI, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        preexec_fn=cap,
        timeout=300,
    )
    peaks = [line for line in result.stderr.splitlines() if line.startswith("PEAK_KB=")]
    return result, int(peaks[-1].removeprefix("PEAK_KB=")) / 1024 if peaks else float("inf")


@pytest.mark.parametrize("file", ["stack", "project"])
def test_yaml_alias_bomb_is_refused_before_it_expands(project, tmp_path, file):
    if file == "stack":
        path = _stack_file(project, ALIAS_BOMB.encode())
    else:
        path = project / "Pulumi.yaml"
        path.write_text(path.read_text() + ALIAS_BOMB.replace("bomb:", "bomb-"))
    for command in (["validate"], ["render", "--out", str(tmp_path / "out")]):
        result, peak = _peak_rss_mb([*command, "--stack", "dev", "--project", str(project)], tmp_path)
        assert result.returncode == 2, result.stderr[-2000:]
        assert "Traceback" not in result.stderr and str(path) in result.stderr and "alias" in result.stderr
        assert peak < 400, f"{command[0]} peaked at {peak:.0f} MB"


def test_a_recursive_alias_is_refused(project, tmp_path):
    path = _stack_file(project, b"config:\n  x:y: &a [*a]\n")
    assert_user_error(project, tmp_path, str(path), "alias", commands=("validate",))


def test_a_few_aliases_are_fine(project):
    document = yaml.safe_dump(STACK, sort_keys=False).replace(
        "  platform:environment: dev\n", "  platform:environment: &env dev\n  app:environment: *env\n"
    )
    _stack_file(project, document.encode())
    assert load_stack_file(project, "dev").environment == "dev"


@pytest.mark.parametrize(
    ("document", "needle"),
    [
        ("config:\n  platform:environment: dev\n  platform:environment: prod\n", "`platform:environment`"),
        (
            "config:\n  platform:repo:\n    url: a\n    branch: main\n    branch: other\n",
            "`branch` in `config.platform:repo` at line 5 (first at line 4)",
        ),
        ("config: {}\nconfig: {}\n", "`config` in the document at line 2"),
    ],
)
def test_duplicate_keys_in_a_stack_file_are_exit_2(project, tmp_path, document, needle):
    path = _stack_file(project, document.encode())
    assert_user_error(project, tmp_path, str(path), "duplicate key", needle)


def test_duplicate_keys_in_the_project_file_are_exit_2(project, tmp_path):
    path = project / "Pulumi.yaml"
    path.write_text(path.read_text() + "config:\n  owner: a\n  owner: b\n")
    assert_user_error(project, tmp_path, str(path), "duplicate key `owner`")


@pytest.mark.parametrize(
    "data", [b"", b"- a\n", b"name: p\nname: q\n", b"name: caf\xe9\n", "name: p\n".encode("utf-16")]
)
def test_a_broken_project_file_is_exit_2(project, tmp_path, data):
    path = project / "Pulumi.yaml"
    path.write_bytes(data)
    assert_user_error(project, tmp_path, str(path))


def test_merge_keys_are_not_duplicates(project):
    document = textwrap.dedent(
        """\
        config:
          platform:environment: dev
          platform:cluster: &cluster {kind: existing, name: c, kubeconfig: {path: ~/.kube/config}}
          platform:gitops: {agent: flux}
          platform:repo:
            <<: {url: "https://git.example.com/a.git", branch: x}
            branch: main
            credentials: {kind: none}
        """
    )
    _stack_file(project, document.encode())
    assert load_stack_file(project, "dev").repo.branch == "main"
