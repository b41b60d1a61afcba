"""Run a stack's own program offline and turn what it registered into plan.json and the repo tree."""

from __future__ import annotations

import json
import runpy
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_kit.config import PlatformConfig
from platform_kit.config.loaders import program_config, read_project_file, read_stack_file, stack_config
from platform_kit.engine import Registration, StackOutputs, mock_id, run_program
from platform_kit.gitops.seed import SEED_COMMIT_TYPE, seeded_files
from platform_kit.guardrails.offline import check_registrations
from platform_kit.guardrails.rules import GuardrailConfig, Violation
from platform_kit.summary import Entry, summary_markdown


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
        if self.config is None and not any(r.type == SEED_COMMIT_TYPE for r in self.registrations):
            return {}
        return seeded_files(self.seed().inputs)


def project_name(project_dir: Path) -> str:
    """The `name:` of Pulumi.yaml."""
    import yaml

    return str(yaml.safe_load((project_dir / "Pulumi.yaml").read_text())["name"])


def program_path(project_dir: Path) -> Path:
    """`main` of Pulumi.yaml (default: the project directory), resolved to the program's `__main__.py`."""
    path = project_dir / str(read_project_file(project_dir).get("main") or ".")
    return path / "__main__.py" if path.is_dir() else path


STACK_REFERENCES_FILE = "stack-references.yaml"
"""Next to Pulumi.yaml: offline stand-ins for what referenced stacks export (`<org>/<project>/<stack>` ->
`{outputs: {...}, secret: [names]}`), answered to `pulumi.StackReference` by the mock engine."""


def stack_references(project_dir: Path) -> dict[str, StackOutputs]:
    """The project's offline stack reference outputs (none without STACK_REFERENCES_FILE)."""
    import yaml

    path = project_dir / STACK_REFERENCES_FILE
    if not path.is_file():
        return {}
    document = yaml.safe_load(path.read_text()) or {}
    return {
        str(name): StackOutputs(dict(entry.get("outputs") or {}), tuple(entry.get("secret") or ()))
        for name, entry in document.items()
    }


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
    main = program_path(project_dir)
    registrations = run_program(
        lambda: runpy.run_path(str(main), run_name="__main__"),
        project=project_name(project_dir),
        stack=stack,
        config=values,
        secret_keys=secret_keys,
        stack_references=stack_references(project_dir),
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
    return check_registrations(run.registrations, config, resource_id=lambda r: mock_id(r.name))


def summary_document(run: StackRun) -> str:
    """summary.md: counts, the resource tree as a Mermaid diagram, the config repo layout, guardrails."""
    entries = [Entry(r.urn, r.type, r.name, r.parent, r.custom) for r in run.registrations]
    violations = [str(v) for v in guardrail_violations(run)]
    return summary_markdown(run.stack, entries, sorted(run.seeded_files()), violations)


def write_render(run: StackRun, out_dir: Path | str) -> tuple[Path, Path]:
    """Write `plan.json`, `summary.md` and `config-repo/` under out_dir (replacing an earlier render)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan_file = out_dir / "plan.json"
    plan_file.write_text(json.dumps(plan_document(run), indent=2, sort_keys=True) + "\n")
    (out_dir / "summary.md").write_text(summary_document(run))
    repo_dir = out_dir / "config-repo"
    if repo_dir.exists():
        shutil.rmtree(repo_dir)
    for path, content in sorted(run.seeded_files().items()):
        target = repo_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    return plan_file, repo_dir


def summary(run: StackRun) -> str:
    """A few lines describing a render for humans."""
    kinds = Counter(r.type for r in run.registrations if r.custom)
    components = sum(1 for r in run.registrations if not r.custom)
    secrets = sum(1 for r in run.registrations for key in r.raw_inputs if key != "__provider" and r.is_secret(key))
    lines = [
        f"stack {run.stack}: {len(run.registrations)} resources ({components} components), "
        f"{len(run.seeded_files())} files in the config repo, {secrets} secret inputs masked",
    ]
    lines += [f"  {count:3d}  {kind}" for kind, count in sorted(kinds.items())]
    return "\n".join(lines)
