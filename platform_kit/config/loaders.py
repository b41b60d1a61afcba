"""The one place that reads stack config: from a Pulumi program, or from a stack file offline.

Both paths end in `parse_platform_config`, so a stack validates identically under
`pulumi up`, `platform-kit validate` and `platform-kit render`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from platform_kit.config.errors import ConfigError, Problem, problems_from_validation
from platform_kit.config.models import ConfigRepoConfig, PlatformConfig, url_scheme

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (same results, much faster)."""

NAMESPACE = "platform"
"""Pulumi config namespace that holds the platform's settings (`platform:<key>`)."""

OPAQUE_SECRET = "[secret]"
"""Stand-in for a `secure:` value, which cannot be decrypted without the Pulumi CLI."""


def parse_platform_config(values: Mapping[str, Any], source: str | None = None) -> PlatformConfig:
    """Validate the `platform:` keys (without the prefix) into a PlatformConfig or raise ConfigError."""
    try:
        return PlatformConfig.model_validate(dict(values))
    except ValidationError as error:
        raise ConfigError(problems_from_validation(error, NAMESPACE), source) from None


def resolve_local_repo(config: PlatformConfig, project_dir: Path) -> PlatformConfig:
    """Make a relative local repo path absolute against the project directory."""
    url = config.repo.url
    if url_scheme(url) != "file" or url.startswith("file://"):
        return config
    absolute = (project_dir / Path(url).expanduser()).resolve()
    repo = config.repo.model_copy(update={"url": str(absolute)})
    return config.model_copy(update={"repo": repo})


def override_repo(config: PlatformConfig, url: str | None = None, branch: str | None = None) -> PlatformConfig:
    """Publish somewhere else (CLI `--repo`/`--branch`); the agent keeps reading the configured URL."""
    if url is None and branch is None:
        return config
    data = config.repo.model_dump(by_alias=True, exclude_none=True)
    data["agentUrl"] = config.repo.cluster_url
    data.update({key: value for key, value in (("url", url), ("branch", branch)) if value is not None})
    try:
        repo = ConfigRepoConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(problems_from_validation(error, f"{NAMESPACE}.repo"), "command line") from None
    return resolve_local_repo(config.model_copy(update={"repo": repo}), Path.cwd())


# --- offline: stacks/Pulumi.<stack>.yaml --------------------------------------


def stack_config_dir(project_dir: Path) -> Path:
    """Directory of the stack files, from `stackConfigDir` in Pulumi.yaml."""
    project_file = project_dir / "Pulumi.yaml"
    if not project_file.is_file():
        raise ConfigError([Problem("project", f"no Pulumi.yaml in {project_dir}")])
    project = _read_yaml(project_file) or {}
    return project_dir / str(project.get("stackConfigDir", "."))


def read_stack_file(project_dir: Path | str, stack: str) -> tuple[Path, dict[str, Any]]:
    """The path of `Pulumi.<stack>.yaml` and its raw `config:` mapping."""
    directory = stack_config_dir(Path(project_dir))
    stack_file = directory / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in directory.glob("Pulumi.*.yaml"))
        raise ConfigError([Problem("stack", f"no stack file {stack_file} (stacks here: {', '.join(known) or 'none'})")])
    raw = (_read_yaml(stack_file) or {}).get("config") or {}
    if not isinstance(raw, dict):
        raise ConfigError([Problem("config", "must be a mapping of `namespace:key` to values")], str(stack_file))
    return stack_file, raw


def load_stack_file(project_dir: Path | str, stack: str) -> PlatformConfig:
    """Read `Pulumi.<stack>.yaml` the way Pulumi would, with `secure:` values left opaque."""
    stack_file, raw = read_stack_file(project_dir, stack)
    return stack_config(raw, stack_file, Path(project_dir))


def stack_config(raw: dict[str, Any], stack_file: Path, project_dir: Path) -> PlatformConfig:
    """The PlatformConfig of a stack file's raw `config:` mapping (see `read_stack_file`)."""
    values = {
        key[len(NAMESPACE) + 1 :]: _opaque_secrets(value)
        for key, value in raw.items()
        if str(key).startswith(f"{NAMESPACE}:")
    }
    config = parse_platform_config(values, str(stack_file))
    return resolve_local_repo(config, project_dir)


def program_config(raw: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """A stack file's config as Pulumi hands it to a program: (`ns:key` -> string/JSON, secret keys)."""
    flat = {}
    for key, value in raw.items():
        value = _opaque_secrets(value)
        flat[str(key)] = value if isinstance(value, str) else json.dumps(value)
    secret_keys = [str(key) for key, value in raw.items() if _has_secure(value)]
    return flat, secret_keys


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(), Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise ConfigError([Problem("yaml", f"not valid YAML{where}")], str(path)) from None


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


def _has_secure(value: Any) -> bool:
    if _is_secure(value):
        return True
    if isinstance(value, dict):
        return any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _opaque_secrets(value: Any) -> Any:
    """Replace every `{secure: ...}` with OPAQUE_SECRET, recursively."""
    if _is_secure(value):
        return OPAQUE_SECRET
    if isinstance(value, dict):
        return {k: _opaque_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_opaque_secrets(v) for v in value]
    return value


# --- inside a Pulumi program -------------------------------------------------


def load_pulumi_config(project_dir: Path | str | None = None) -> PlatformConfig:
    """Read every `platform:` key of the running stack (call once, at the program's edge)."""
    from pulumi.runtime import config as runtime_config

    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    values = {}
    for key, raw in merged.items():
        if not key.startswith(f"{NAMESPACE}:"):
            continue
        values[key[len(NAMESPACE) + 1 :]] = _decode_config_value(raw)
    config = parse_platform_config(values, "Pulumi stack config")
    return resolve_local_repo(config, Path(project_dir or Path.cwd()))


def _decode_config_value(raw: Any) -> Any:
    """Pulumi passes objects and lists as JSON strings and scalars as plain strings."""
    if isinstance(raw, str) and raw[:1] in ("{", "["):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


# --- JSON Schema -------------------------------------------------------------


def stack_config_schema() -> dict[str, Any]:
    """JSON Schema of a `Pulumi.<stack>.yaml` file, for editors and CI."""
    model_schema = PlatformConfig.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    defs = model_schema.pop("$defs", {})
    secure = {
        "type": "object",
        "properties": {"secure": {"type": "string"}},
        "required": ["secure"],
        "additionalProperties": False,
        "description": "An encrypted value written by `pulumi config set --secret`.",
    }
    _allow_secure(defs, secure)
    properties = {f"{NAMESPACE}:{name}": prop for name, prop in model_schema["properties"].items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "platform_kit stack config (stacks/Pulumi.<stack>.yaml)",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": properties,
                "required": [f"{NAMESPACE}:{name}" for name in model_schema.get("required", [])],
                "patternProperties": {f"^(?!{NAMESPACE}:)[^:]+:.+$": {}},
                "additionalProperties": False,
            },
            "secretsprovider": {"type": "string"},
            "encryptedkey": {"type": "string"},
            "encryptionsalt": {"type": "string"},
        },
        "$defs": defs,
    }


def _allow_secure(defs: dict[str, Any], secure: dict[str, Any]) -> None:
    """Let every secret field (`writeOnly` string) also take a `{secure: ...}` object."""
    for definition in defs.values():
        for name, prop in definition.get("properties", {}).items():
            variants = prop.get("anyOf", [prop])
            for index, variant in enumerate(variants):
                if variant.get("format") == "password":
                    variants[index] = {"anyOf": [variant, secure]}
            if "anyOf" not in prop and variants[0] is not prop:
                definition["properties"][name] = variants[0] | {
                    k: v for k, v in prop.items() if k in ("description", "title")
                }
