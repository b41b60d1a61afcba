"""The one place that reads stack config: from a Pulumi program, or from a stack file offline.

Both paths end in `parse_platform_config`, so a stack validates identically under
`pulumi up`, `platform-kit validate` and `platform-kit render`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from platform_kit.config import validator_cache
from platform_kit.config.errors import ConfigError, Problem, problems_from_validation, suggest
from platform_kit.config.models import ConfigRepoConfig, PlatformConfig, url_scheme
from platform_kit.config.sharing import SharedEnvironment, sharing_problems
from platform_kit.config.yaml_files import read_yaml_file

NAMESPACE = "platform"
"""Pulumi config namespace that holds the platform's settings (`platform:<key>`)."""

OPAQUE_SECRET = "[secret]"
"""Stand-in for a `secure:` value, which cannot be decrypted without the Pulumi CLI."""


def parse_platform_config(values: Mapping[str, Any], source: str | None = None) -> PlatformConfig:
    """Validate the `platform:` keys (without the prefix) into a PlatformConfig or raise ConfigError."""
    try:
        return PlatformConfig.model_validate(dict(values))
    except ValidationError as error:
        raise ConfigError(problems_from_validation(error, NAMESPACE, PlatformConfig), source) from None
    finally:
        validator_cache.save_if_missing()


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
        raise ConfigError(
            problems_from_validation(error, f"{NAMESPACE}.repo", ConfigRepoConfig), "command line"
        ) from None
    return resolve_local_repo(config.model_copy(update={"repo": repo}), Path.cwd())


# --- offline: Pulumi.yaml and stacks/Pulumi.<stack>.yaml --------------------
#
# Pulumi merges the project's `config:` into the stack's before a program runs
# (pulumi/pulumi pkg/workspace/config.go `mergeConfig`); the offline readers apply the same rules,
# so validate, render and seed accept exactly the stacks `pulumi up` accepts.

PROJECT_FILE = "Pulumi.yaml"
"""The project file, at the project directory's top."""

DECLARATION_FIELDS = frozenset({"type", "items", "description", "secret", "default", "value"})
"""Fields of a project config declaration (Pulumi's project.json `configTypeDeclaration`)."""

CONFIG_TYPES = frozenset({"string", "integer", "boolean", "array", "object"})
"""Types a project config declaration may name (project.json `simpleConfigType`)."""

Origins = dict[tuple[str, ...], str]
"""(`ns:key`, path segments...) -> the file that set the value there."""


def read_project_file(project_dir: Path) -> dict[str, Any]:
    """Pulumi.yaml as a mapping."""
    project_file = project_dir / PROJECT_FILE
    if not project_file.is_file():
        raise ConfigError([Problem("project", f"no {PROJECT_FILE} in {project_dir}")])
    project = read_yaml_file(project_file)
    if project is None:
        problem = Problem("project", "is empty (a project needs at least `name` and `runtime`)")
        raise ConfigError([problem], str(project_file))
    if not isinstance(project, dict):
        raise ConfigError([Problem("project", "must be a mapping")], str(project_file))
    return project


def stack_config_dir(project_dir: Path) -> Path:
    """Directory of the stack files, from `stackConfigDir` (or the legacy string `config:`) in Pulumi.yaml."""
    project = read_project_file(project_dir)
    legacy = project.get("config") if isinstance(project.get("config"), str) else None
    return project_dir / str(project.get("stackConfigDir") or legacy or ".")


def read_stack_file(project_dir: Path | str, stack: str) -> tuple[Path, dict[str, Any]]:
    """The path of `Pulumi.<stack>.yaml` and its `config:` with Pulumi.yaml's project config applied."""
    stack_file = _stack_file(Path(project_dir), stack)
    raw, _ = merged_config(Path(project_dir), stack_file)
    return stack_file, raw


def merged_config(project_dir: Path, stack_file: Path) -> tuple[dict[str, Any], Origins]:
    """A stack file's `config:` merged with the project's, and where each value came from."""
    document = read_yaml_file(stack_file) or {}
    if not isinstance(document, dict):
        raise ConfigError([Problem("stack", "must be a mapping")], str(stack_file))
    reject_environments(document.get("environment"), str(stack_file))
    raw = document.get("config") or {}
    if not isinstance(raw, dict):
        raise ConfigError([Problem("config", "must be a mapping of `namespace:key` to values")], str(stack_file))
    project = read_project_file(project_dir)
    project_file = str(project_dir / PROJECT_FILE)
    declarations = project_declarations(project, project_file)
    merged, origins, missing = apply_project_config(raw, declarations, str(stack_file), project_file)
    if missing:
        problems = [Problem(key, f"missing: {PROJECT_FILE} declares it without a default") for key in missing]
        raise ConfigError(problems, str(stack_file))
    return merged, origins


def reject_environments(environment: Any, source: str) -> None:
    """Raise ConfigError for Pulumi ESC `environment:` imports, which only the Pulumi CLI can resolve."""
    names = esc_environment_names(environment)
    if not names:
        return
    listed = ", ".join(f"`{name}`" for name in names)
    message = (
        f"imports Pulumi ESC environments ({listed}), which cannot be resolved offline: run the stack "
        "with the Pulumi CLI (`pulumi preview`, `pulumi up`), or inspect an environment's values "
        "with `pulumi env open <org>/<environment>`"
    )
    raise ConfigError([Problem("environment", message)], source)


def esc_environment_names(environment: Any) -> list[str]:
    """The environments a stack file's `environment:` imports (a list, or `{imports: [...], values: ...}`)."""
    if not environment:
        return []
    if isinstance(environment, dict):
        imports = environment.get("imports") or []
        inline = ["inline `values`"] if environment.get("values") else []
    else:
        imports, inline = environment, []
    imports = imports if isinstance(imports, list) else [imports]
    names = [name for item in imports for name in (item if isinstance(item, dict) else [item])]
    return [str(name) for name in names] + inline or [str(environment)]


def project_declarations(project: Mapping[str, Any], source: str) -> dict[str, dict[str, Any]]:
    """Pulumi.yaml's `config:` as `ns:key` -> declaration, shorthands expanded and checked like Pulumi does."""
    # sdk/go/common/workspace/project.go: a plain string, integer, boolean or list is a `default` for the
    # project's own keys (no namespace, or `<project>:`) and a `value` for other namespaces
    # (`RewriteShorthandConfigValues`); an object is a declaration, checked by `Project.Validate`.
    config = project.get("config")
    if not isinstance(config, dict):
        return {}  # absent, or the legacy string form of stackConfigDir
    name = str(project.get("name", ""))
    declarations, problems = {}, []
    for key, entry in config.items():
        key = str(key)
        qualified = key if ":" in key else f"{name}:{key}"
        own = qualified.startswith(f"{name}:")
        if isinstance(entry, str | int | bool | list):
            entry = {"default" if own else "value": entry}
        elif isinstance(entry, dict):  # like Go's nil, a null `default`/`value` is no default/value
            entry = {
                field: value for field, value in entry.items() if field not in ("default", "value") or value is not None
            }
        problem = _declaration_problem(entry, own)
        if problem:
            problems.append(Problem(key, problem))
        else:
            declarations[qualified] = entry
    if problems:
        raise ConfigError(problems, source)
    return declarations


def _declaration_problem(entry: Any, own: bool) -> str | None:
    """What is wrong with one project config declaration, if anything (Pulumi's project schema and Validate)."""
    if not isinstance(entry, dict):
        return "must be a string, integer, boolean, list, or a declaration with `value:` or `default:`"
    unknown = sorted(set(map(str, entry)) - DECLARATION_FIELDS)
    if unknown:
        fields = ", ".join(f"`{field}`" for field in unknown)
        return f"unknown declaration field(s) {fields}; an object value goes under `value:` (or `default:`)"
    if "default" in entry and "value" in entry:
        return "cannot have both `default` and `value`"
    if "type" in entry and entry["type"] not in CONFIG_TYPES:
        return f"unknown type `{entry['type']}` (expected {', '.join(sorted(CONFIG_TYPES))})"
    if own:
        return "an `array` type needs `items`" if entry.get("type") == "array" and "items" not in entry else None
    if "type" in entry:
        return "is not in the project's namespace and must not declare a `type`"
    if "default" in entry:
        return "is not in the project's namespace: use `value`, not `default`"
    return None if "value" in entry else "is not in the project's namespace and must set `value`"


def apply_project_config(
    stack: Mapping[str, Any], declarations: Mapping[str, Mapping[str, Any]], stack_source: str, project_source: str
) -> tuple[dict[str, Any], Origins, list[str]]:
    """Pulumi's precedence: (merged config, origins, required project keys the stack lacks)."""
    # pkg/workspace/config.go `mergeConfig`: a key the stack sets keeps the stack's value whole (no merge
    # with the project's); otherwise the project's `value`/`default` is set. A dotted key
    # (`platform:repo.branch`) is a path into the stack's object (`config.Map` Get/Set with path=true).
    # A key of the project's own namespace with neither is required.
    merged = copy.deepcopy(dict(stack))
    origins: Origins = {(str(key),): stack_source for key in merged}
    missing = []
    for key in sorted(declarations):
        declaration = declarations[key]
        path = _key_path(key, project_source)
        if _has_path(merged, path):
            continue
        if "value" in declaration or "default" in declaration:
            value = declaration["default"] if "default" in declaration else declaration["value"]
            _set_path(merged, path, copy.deepcopy(value), project_source)
            origins[path] = project_source
        else:  # only the project's own keys may lack both (`_declaration_problem`)
            missing.append(key)
    return merged, origins, missing


def _key_path(key: str, source: str) -> tuple[str, ...]:
    """`platform:repo.branch` -> (`platform:repo`, `branch`); brackets and quotes are not supported offline."""
    namespace, _, name = key.partition(":")
    if any(char in name for char in "[]\"'"):
        raise ConfigError([Problem(key, "path keys with `[...]` or quotes are not supported offline")], source)
    first, *rest = name.split(".")
    return (f"{namespace}:{first}", *rest)


def _has_path(config: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    node: Any = config
    for segment in path:
        if not isinstance(node, dict) or segment not in node:
            return False
        node = node[segment]
    return True


def _set_path(config: dict[str, Any], path: tuple[str, ...], value: Any, source: str) -> None:
    node = config
    for depth, segment in enumerate(path[:-1]):
        node = node.setdefault(segment, {})
        if not isinstance(node, dict):
            where = ".".join(path[: depth + 1])
            raise ConfigError([Problem(".".join(path), f"`{where}` is not an object in the stack file")], source)
    node[path[-1]] = value


def load_stack_file(project_dir: Path | str, stack: str) -> PlatformConfig:
    """Read `Pulumi.<stack>.yaml` (with Pulumi.yaml's config) the way Pulumi would, `secure:` values opaque."""
    stack_file, raw = read_stack_file(project_dir, stack)
    return stack_config(raw, stack_file, Path(project_dir))


def stack_config(raw: dict[str, Any], stack_file: Path, project_dir: Path) -> PlatformConfig:
    """The PlatformConfig of a stack's merged `config:` mapping (see `read_stack_file`)."""
    values = {
        key[len(NAMESPACE) + 1 :]: _opaque_secrets(value)
        for key, value in raw.items()
        if str(key).startswith(f"{NAMESPACE}:")
    }
    strays = namespace_problems(raw, str(read_project_file(project_dir).get("name", "")))
    try:
        config = parse_platform_config(values)
    except ConfigError as error:
        _, origins = merged_config(project_dir, stack_file)
        meant = {f"{NAMESPACE}.{key}" for key in strays.values()}
        kept = [p for p in error.problems if not (p.path in meant and p.message == "is required")]
        problems = [Problem(f"config.{key}", message) for key, message in _stray_messages(strays)] + kept
        raise attribute_problems(problems, origins, str(stack_file)) from None
    if strays:
        problems = [Problem(f"config.{key}", message) for key, message in _stray_messages(strays)]
        raise ConfigError(problems, str(stack_file))
    check_environment_sharing(config, project_dir, stack_file)
    return resolve_local_repo(config, project_dir)


def check_environment_sharing(config: PlatformConfig, project_dir: Path, stack_file: Path) -> None:
    """Raise ConfigError when `config` may not share its environment with the project's other stack files."""
    problems = sharing_problems(config, stacks_sharing_environment(project_dir, stack_file, config.environment))
    if problems:
        raise ConfigError(problems, str(stack_file))


def stacks_sharing_environment(project_dir: Path, stack_file: Path, environment: str) -> list[SharedEnvironment]:
    """The project's other stack files that declare the same `platform:environment` (unreadable ones ignored:
    they are reported when that stack is used)."""
    shared = []
    for other in sorted(stack_file.parent.glob("Pulumi.*.yaml")):
        if other.resolve() == stack_file.resolve() or not other.is_file():
            continue
        try:
            raw, _ = merged_config(project_dir, other)
        except ConfigError:
            continue
        if raw.get(f"{NAMESPACE}:environment") == environment:
            shared.append(SharedEnvironment.of(other, raw.get(f"{NAMESPACE}:fleet"), raw.get(f"{NAMESPACE}:cluster")))
    return shared


def namespace_problems(raw: Mapping[str, Any], project: str = "") -> dict[str, str]:
    """Keys of `config:` whose namespace is a near miss of `platform` (`platfrom:environment`), mapped
    to the key they most likely meant (`environment`). Other namespaces (`aws:region`, the project's
    own) belong to others."""
    strays = {}
    for key in map(str, raw):
        namespace, colon, name = key.partition(":")
        if not colon or namespace in (NAMESPACE, project):
            continue
        if suggest(namespace, [NAMESPACE], cutoff=0.75):
            strays[key] = name.split(".")[0]
    return strays


def _stray_messages(strays: Mapping[str, str]) -> list[tuple[str, str]]:
    return [
        (key, f"unknown namespace `{key.partition(':')[0]}`; did you mean `{NAMESPACE}:{name or '...'}`?")
        for key, name in strays.items()
    ]


def attribute_problems(problems: list[Problem], origins: Origins, stack_source: str) -> ConfigError:
    """A ConfigError naming the file(s) each problem's value came from (the stack file by default)."""
    sources = [_problem_source(problem.path, origins, stack_source) for problem in problems]
    if len(set(sources)) == 1:
        return ConfigError(problems, sources[0])
    named = [
        problem if source == stack_source else Problem(problem.path, f"{problem.message} (from {source})")
        for problem, source in zip(problems, sources, strict=True)
    ]
    return ConfigError(named, " and ".join(dict.fromkeys(sources)))


def _problem_source(path: str, origins: Origins, default: str) -> str:
    """The file that set the value at a problem path like `platform.repo.credentials[0].kind`."""
    segments = [segment for segment in re.sub(r"\[\d+\]", "", path).split(".") if segment]
    if len(segments) < 2 or segments[0] != NAMESPACE:
        return default
    key = (f"{NAMESPACE}:{segments[1]}", *segments[2:])
    for length in range(len(key), 0, -1):
        if key[:length] in origins:
            return origins[key[:length]]
    return default


def _stack_file(project_dir: Path, stack: str) -> Path:
    """The path of `Pulumi.<stack>.yaml` (ConfigError listing the known stacks if there is none)."""
    directory = stack_config_dir(project_dir)
    stack_file = directory / f"Pulumi.{stack}.yaml"
    if stack_file.exists() and not stack_file.is_file():
        raise ConfigError([Problem("stack", "is not a file")], str(stack_file))
    if not stack_file.is_file():
        known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in directory.glob("Pulumi.*.yaml") if p.is_file())
        raise ConfigError([Problem("stack", f"no stack file {stack_file} (stacks here: {', '.join(known) or 'none'})")])
    return stack_file


def program_config(raw: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """A stack file's config as Pulumi hands it to a program: (`ns:key` -> string/JSON, secret keys)."""
    flat = {}
    for key, value in raw.items():
        value = _opaque_secrets(value)
        flat[str(key)] = value if isinstance(value, str) else json.dumps(value)
    secret_keys = [str(key) for key, value in raw.items() if _has_secure(value)]
    return flat, secret_keys


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
    project = Path(project_dir or Path.cwd())
    refuse_shared_environment(config, project, pulumi_stack_name())
    return resolve_local_repo(config, project)


def pulumi_stack_name() -> str:
    """The running stack's name (Pulumi's, or the mock engine's)."""
    import pulumi

    return pulumi.get_stack()


def refuse_shared_environment(config: PlatformConfig, project_dir: Path, stack: str) -> None:
    """Under `pulumi up`, the stack-file loader's refusal of a shared environment (docs/fleets.md), when the
    project's stack files are on disk next to the program; nothing to compare against otherwise."""
    try:
        stack_file = stack_config_dir(project_dir) / f"Pulumi.{stack}.yaml"
    except ConfigError:  # no readable Pulumi.yaml here: config came from elsewhere (a service, ESC)
        return
    if stack_file.is_file():
        check_environment_sharing(config, project_dir, stack_file)


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
    from platform_kit.config.docstrings import add_descriptions  # ast and inspect: not for validate

    model_schema = PlatformConfig.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    defs = model_schema.pop("$defs", {})
    add_descriptions(model_schema, PlatformConfig, defs)  # attribute docstrings, read only here
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
