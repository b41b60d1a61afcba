"""Run a stack's own program offline and turn what it registered into plan.json and the repo tree."""

from __future__ import annotations

import ctypes
import errno
import glob
import json
import os
import runpy
import secrets
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from platform_kit.config import PlatformConfig
from platform_kit.config.loaders import (
    program_config,
    read_project_file,
    read_stack_file,
    stack_config,
)
from platform_kit.gitops.seed import SEED_COMMIT_TYPE, seeded_files
from platform_kit.guardrails.offline import check_registrations
from platform_kit.guardrails.rules import GuardrailConfig, Violation
from platform_kit.offline.engine import Registration, mock_id, run_program
from platform_kit.offline.references import check_hub_reference, stack_references
from platform_kit.offline.summary import Entry, summary_markdown
from platform_kit.text import plural


@dataclass(frozen=True)
class StackRun:
    """One offline run of a stack's program."""

    stack: str
    config: PlatformConfig | None
    """The platform config; None for a program that is not a platform stack (no `platform:` keys)."""
    registrations: list[Registration]

    def seed(self) -> Registration:
        """The seed commit resource (exactly one per stack)."""
        seeds = [r for r in self.registrations if r.type == SEED_COMMIT_TYPE]
        if len(seeds) != 1:
            raise RuntimeError(f"expected one config repo seed in stack {self.stack}, found {len(seeds)}")
        return seeds[0]

    def seeded_files(self) -> dict[str, str]:
        """Exactly the tree the seed resource publishes: path -> content (nothing for non-platform programs)."""
        return dict(self._seeded_tree)

    @cached_property
    def _seeded_tree(self) -> dict[str, str]:
        """Unpacked once per run (a render asks three times: the tree, summary.md, the console summary)."""
        if self.config is None and not any(r.type == SEED_COMMIT_TYPE for r in self.registrations):
            return {}
        return seeded_files(self.seed().inputs)


def project_name(project_dir: Path) -> str:
    """The `name:` of Pulumi.yaml."""
    return str(read_project_file(project_dir).get("name", ""))


def program_path(project_dir: Path) -> Path:
    """`main` of Pulumi.yaml (default: the project directory), resolved to the program's `__main__.py`."""
    path = project_dir / str(read_project_file(project_dir).get("main") or ".")
    return path / "__main__.py" if path.is_dir() else path


def run_stack(project_dir: Path | str, stack: str) -> StackRun:
    """Validate the stack file, then run the project's program under the recording mock engine.

    A program whose stack file has no `platform:` keys (a team's stack, say) runs too, without
    platform config and without a config repo.
    """
    project_dir = Path(project_dir).resolve()
    stack_file, raw = read_stack_file(project_dir, stack)
    is_platform = any(str(key).startswith("platform:") for key in raw)
    # Platform stacks: raises ConfigError before any resource exists.
    config = stack_config(raw, stack_file, project_dir) if is_platform else None
    values, secret_keys = program_config(raw)
    references = stack_references(project_dir)
    if config is not None:
        check_hub_reference(config, references, project_dir)
    main = program_path(project_dir)
    registrations = run_program(
        lambda: runpy.run_path(str(main), run_name="__main__"),
        project=project_name(project_dir),
        stack=stack,
        config=values,
        secret_keys=secret_keys,
        stack_references=references,
    )
    return StackRun(stack=stack, config=config, registrations=registrations)


def plan_document(run: StackRun) -> dict[str, Any]:
    """plan.json: every resource (sorted by URN, so renders are reproducible) with secret-masked inputs."""
    return {"stack": run.stack, "resources": [plan_resource(r) for r in sorted(run.registrations, key=lambda r: r.urn)]}


def plan_resource(r: Registration, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    """One resource of plan.json; `inputs` defaults to the secret-masked ones."""
    return {
        "urn": r.urn,
        "type": r.type,
        "name": r.name,
        "parent": r.parent,
        "dependencies": r.dependencies,
        "provider": r.provider,
        "inputs": r.masked_inputs if inputs is None else inputs,
    }


def guardrail_violations(run: StackRun) -> list[Violation]:
    """The guardrails (`platform_kit.guardrails.rules`) over the registrations' real inputs."""
    config = GuardrailConfig(environment=run.config.environment if run.config else run.stack)
    from platform_kit.guardrails.manifests import manifest_resources
    from platform_kit.guardrails.rules import check

    registered = check_registrations(run.registrations, config, resource_id=lambda r: mock_id(r.name))
    return registered + check(manifest_resources(run.seeded_files()), config)


def summary_document(run: StackRun) -> str:
    """summary.md: counts, the resource tree as a Mermaid diagram, the config repo layout, guardrails."""
    entries = [Entry(r.urn, r.type, r.name, r.parent, r.custom) for r in run.registrations]
    violations = [str(v) for v in guardrail_violations(run)]
    return summary_markdown(run.stack, entries, sorted(run.seeded_files()), violations)


RENDER_MARKER = ".platform-kit-render"
"""Written into every render's output: the files and directories that render wrote. The next render replaces
an output only if everything in it is listed there (an empty or missing directory is fine too)."""

FOREIGN_NAMES_SHOWN = 10
"""How many foreign paths a refusal names (then "and N more")."""


class RenderOutputError(Exception):
    """`--out` cannot take the render: it holds files render did not write, or it cannot be written."""


def write_render(
    run: StackRun, out_dir: Path | str, extra: Callable[[Path], object] | None = None
) -> tuple[Path, Path]:
    """Write `plan.json`, `summary.md`, `config-repo/` (and whatever `extra` writes into the directory it is
    given, `inflated/` say: `preview_inflate.write_inflated`) as out_dir.

    The whole output is written into a staging directory next to out_dir and swapped in by a rename, so a
    render that fails or is killed leaves the previous one whole. Only an empty or missing out_dir, or one
    holding exactly what an earlier render listed in RENDER_MARKER, is replaced; anything else raises
    RenderOutputError naming the foreign paths, as does an out_dir that cannot be written (never a traceback).
    """
    out = _real_out(Path(out_dir))
    _refuse_foreign(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _clear_dead_staging(out)
        staging = out.parent / f".{out.name}.platform-kit-{os.getpid()}-{secrets.token_hex(4)}"
        staging.mkdir()
    except OSError as error:
        raise RenderOutputError(_os_message(error, out)) from None
    try:
        _write_tree(run, extra, staging)
        _swap(staging, out)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise RenderOutputError(_os_message(error, out)) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Path(out_dir) / "plan.json", Path(out_dir) / "config-repo"


def _write_file(path: Path, content: str) -> None:
    path.write_text(content)


def _write_tree(run: StackRun, extra: Callable[[Path], object] | None, staging: Path) -> None:
    """The render's files under staging, then RENDER_MARKER listing every one of them."""
    _write_file(staging / "plan.json", json.dumps(plan_document(run), indent=2, sort_keys=True) + "\n")
    _write_file(staging / "summary.md", summary_document(run))
    repo_dir = staging / "config-repo"
    repo_dir.mkdir()
    made = {repo_dir}
    for path, content in sorted(run.seeded_files().items()):
        target = repo_dir / path
        if target.parent not in made:  # one mkdir per directory, not per file (thousands of teams' files)
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        _write_file(target, content)
    if extra is not None:
        extra(staging)
    files, directories = [], []
    for path in sorted(staging.rglob("*")):
        (directories if path.is_dir() else files).append(path.relative_to(staging).as_posix())
    marker = {"writtenBy": "platform-kit render", "stack": run.stack, "files": files, "directories": directories}
    _write_file(staging / RENDER_MARKER, json.dumps(marker, indent=2) + "\n")


def _swap(staging: Path, out: Path) -> None:
    """Put staging in out's place (atomically where the OS can exchange two paths), then drop the old output."""
    if not os.path.lexists(out):
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # now the previous render
        return
    old = out.parent / f".{out.name}.platform-kit-{os.getpid()}-old-{secrets.token_hex(4)}"
    os.rename(out, old)
    os.rename(staging, out)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two paths in one step; False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _real_out(out: Path) -> Path:
    """out as an absolute path; a symlink to a directory is followed (its target is the output)."""
    out = Path(os.path.abspath(out))
    return Path(os.path.realpath(out)) if out.is_symlink() else out


def _refuse_foreign(out: Path) -> None:
    """RenderOutputError unless out is missing, empty, or holds only what RENDER_MARKER lists."""
    for ancestor in [out, *out.parents]:
        if os.path.lexists(ancestor):
            if not ancestor.is_dir():
                raise RenderOutputError(f"cannot write {out}: {ancestor} is not a directory")
            break
    if not out.exists():
        return
    try:
        foreign = _foreign_paths(out)
    except OSError as error:
        raise RenderOutputError(_os_message(error, out)) from None
    if foreign:
        shown = ", ".join(foreign[:FOREIGN_NAMES_SHOWN])
        more = f" and {len(foreign) - FOREIGN_NAMES_SHOWN} more" if len(foreign) > FOREIGN_NAMES_SHOWN else ""
        raise RenderOutputError(
            f"--out {out} holds files platform-kit render did not write ({shown}{more}); it replaces only its own "
            f"output (listed in {RENDER_MARKER}): render into an empty or new directory, or move them away"
        )


def _foreign_paths(out: Path) -> list[str]:
    """Paths under out (top-most first; symlinks never followed) that the last render's marker does not list."""
    marker = out / RENDER_MARKER
    files: set[str] = set()
    directories: set[str] = set()
    if marker.is_file() and not marker.is_symlink():
        try:
            listed = json.loads(marker.read_text())
            files, directories = set(map(str, listed["files"])), set(map(str, listed["directories"]))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            pass
    ours = {RENDER_MARKER} if files else set()
    foreign = []
    pending = [(out, "")]
    while pending:
        directory, prefix = pending.pop()
        with os.scandir(directory) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False) and relative in directories:
                    pending.append((Path(entry.path), relative + "/"))
                elif not (entry.is_file(follow_symlinks=False) and (relative in files or relative in ours)):
                    foreign.append(relative + ("/" if entry.is_dir(follow_symlinks=False) else ""))
    return sorted(foreign)


def _clear_dead_staging(out: Path) -> None:
    """Remove staging directories next to out left by renders that were killed (their process is gone)."""
    for path in out.parent.glob(f".{glob.escape(out.name)}.platform-kit-*"):
        pid = path.name[len(out.name) + len(".platform-kit-") + 1 :].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _os_message(error: OSError, out: Path) -> str:
    """One line for a failed write under out: `cannot write OUT: No space left on device`."""
    reason = error.strerror or str(error)
    where = f" ({error.filename})" if error.filename and Path(str(error.filename)).parent != out.parent else ""
    return f"cannot write {out}: {reason}{where}"


def summary(run: StackRun) -> str:
    """A few lines describing a render for humans."""
    kinds = Counter(r.type for r in run.registrations if r.custom)
    components = sum(1 for r in run.registrations if not r.custom)
    secrets = sum(1 for r in run.registrations for key in r.raw_inputs if key != "__provider" and r.is_secret(key))
    lines = [
        f"stack {run.stack}: {plural(len(run.registrations), 'resource')} ({plural(components, 'component')}), "
        f"{plural(len(run.seeded_files()), 'file')} in the config repo, {plural(secrets, 'secret input')} masked",
    ]
    lines += [f"  {count:3d}  {kind}" for kind, count in sorted(kinds.items())]
    return "\n".join(lines)
