"""`platform:library`: what the seeded CI and the templates install resolves to this library's own wheel.

The wheel is built once per session from a copy of the sources (`pip wheel --no-deps`); every
requirement the generated artefacts carry is then resolved against it with pip itself, offline
(`pip download --no-index --find-links`), so a name, an extra or a pin that no index would serve fails.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from platform_kit import __version__
from platform_kit.config import load_stack_file
from platform_kit.config.library import LibraryConfig
from platform_kit.repo import render_config_repo
from platform_kit.repo.ci_workflow import WORKFLOW_PATH

REPO_ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT_FILES = [
    REPO_ROOT / "examples/team-template/requirements.txt",
    REPO_ROOT / "templates/platform/requirements.txt",
]


def pip(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory) -> Path:
    """A directory holding only platform-kit's wheel, built from a copy of this checkout."""
    root = tmp_path_factory.mktemp("library")
    source = root / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source / name)
    shutil.copytree(REPO_ROOT / "platform_kit", source / "platform_kit", ignore=shutil.ignore_patterns("__pycache__"))
    if pip("--version").returncode != 0:
        pytest.skip("pip cannot run in this interpreter")
    built = pip("wheel", "--no-deps", "-q", "-w", str(root / "wheels"), str(source))
    if built.returncode != 0:
        pytest.skip(f"cannot build the wheel (pip needs setuptools from an index): {built.stderr[-300:]}")
    assert [p.name for p in (root / "wheels").iterdir()] == [f"platform_kit-{__version__}-py3-none-any.whl"]
    return root / "wheels"


def resolve(wheelhouse: Path, tmp_path: Path, *requirement_args: str) -> subprocess.CompletedProcess:
    """pip resolving the requirement against the wheelhouse only (`--no-index` wins over any `--index-url`)."""
    return pip(
        "download", "--no-index", "--find-links", str(wheelhouse), "--no-deps", "-q", "-d", str(tmp_path / "dl"),
        *requirement_args,
    )  # fmt: skip


def ci_install_args(files) -> list[str]:
    """The arguments of the seeded workflow's `pip install` step."""
    workflow = yaml.safe_load(next(m.content for m in files if m.path == WORKFLOW_PATH))
    runs = [step["run"] for step in workflow["jobs"]["validate"]["steps"] if step.get("run", "").startswith("pip ")]
    assert len(runs) == 1
    command = shlex.split(runs[0])
    assert command[:2] == ["pip", "install"]
    return command[2:]


def test_the_seeded_ci_installs_this_exact_version_with_the_validate_extra(wheelhouse, tmp_path):
    args = ci_install_args(render_config_repo(load_stack_file(REPO_ROOT, "dev")))
    assert args == [f"platform-kit[validate]=={__version__}"]
    result = resolve(wheelhouse, tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "dl").iterdir()] == [f"platform_kit-{__version__}-py3-none-any.whl"]


def test_a_requirement_no_index_serves_fails_the_same_check(wheelhouse, tmp_path):
    for wrong in ("platform-kit[validate]==0.0.1", "platform-kitt==0.1.0"):
        assert resolve(wheelhouse, tmp_path, wrong).returncode != 0


def test_a_private_index_goes_into_the_workflow_and_still_resolves(wheelhouse, tmp_path):
    config = load_stack_file(REPO_ROOT, "dev")
    library = LibraryConfig(indexUrl="https://pypi.acme.example/simple/")
    args = ci_install_args(render_config_repo(config.model_copy(update={"library": library})))
    assert args == ["--index-url", "https://pypi.acme.example/simple", f"platform-kit[validate]=={__version__}"]
    assert "--extra-index-url" not in args  # the private index replaces PyPI: no dependency confusion
    result = resolve(wheelhouse, tmp_path, *args)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", REQUIREMENT_FILES, ids=lambda p: p.parent.name)
def test_template_requirements_pin_the_default_library_and_resolve(wheelhouse, tmp_path, path):
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    library_lines = [line for line in lines if line.startswith(("platform-kit", "platform_kit", "--"))]
    assert library_lines == LibraryConfig().requirements_lines()  # in step with the running version
    only_library = tmp_path / "requirements.txt"
    only_library.write_text("\n".join(library_lines) + "\n")
    result = resolve(wheelhouse, tmp_path, "-r", str(only_library))
    assert result.returncode == 0, result.stderr


def test_requirements_lines_with_an_index_are_valid_pip_syntax(wheelhouse, tmp_path):
    lines = LibraryConfig(indexUrl="https://pypi.acme.example/simple").requirements_lines()
    assert lines == ["--index-url https://pypi.acme.example/simple", f"platform-kit=={__version__}"]
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("\n".join(lines) + "\n")
    result = resolve(wheelhouse, tmp_path, "-r", str(requirements))
    assert result.returncode == 0, result.stderr


def test_a_direct_reference_replaces_the_version():
    library = LibraryConfig(url="git+https://github.com/acme/platform-kit@v0.1.0")
    assert (
        library.requirement(("validate",)) == "platform-kit[validate] @ git+https://github.com/acme/platform-kit@v0.1.0"
    )
    assert library.pip_install(("validate",)) == (
        'pip install "platform-kit[validate] @ git+https://github.com/acme/platform-kit@v0.1.0"'
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"indexUrl": "https://deploy:s3cr3t@pypi.acme.example/simple"}, "must not embed"),
        ({"indexUrl": "https://pypi.acme.example/simple?token=s3cr3t"}, "query string"),
        ({"indexUrl": "http://pypi.acme.example/simple"}, "https://"),
        ({"url": "git+https://ghp_s3cr3t@github.com/acme/platform-kit@v0.1.0"}, "must not embed"),
        ({"url": "git+https://github.com/acme/platform-kit"}, "pin a tag or commit"),
        ({"url": "https://files.acme.example/platform-kit"}, "wheel or sdist"),
        ({"url": "git+https://github.com/acme/platform-kit@v0.1.0", "version": "0.1.0"}, "either `url`"),
        ({"version": ">=0.1"}, "pattern"),
        ({"requirement": "platform-kit"}, "Extra inputs"),
    ],
)
def test_library_sources_carry_no_credentials_and_pin_the_library(fields, message):
    with pytest.raises(ValidationError, match=message) as error:
        LibraryConfig(**fields)
    assert "s3cr3t" not in str(error.value)


def test_the_stack_config_takes_platform_library():
    config = load_stack_file(REPO_ROOT, "dev")
    assert config.library == LibraryConfig() and config.library.version == __version__
    raw = config.model_dump(by_alias=True, exclude_unset=True) | {
        "library": {"indexUrl": "https://pypi.acme.example/simple"}
    }
    assert type(config).model_validate(raw).library.index_url == "https://pypi.acme.example/simple"
