"""The bare-runtime baseline of a render: the same resource classes, registered with the same inputs.

    python benchmarks/render_baseline.py record PROJECT STACK registrations.json
    python benchmarks/render_baseline.py run registrations.json            # the baseline program itself
    python benchmarks/render_baseline.py verify registrations.json

`record` renders STACK with platform_kit's offline engine and writes every registration in order: the
Python class that registered it (`pulumi_aws.iam.role:Role`, `pulumi_kubernetes.core.v1.Namespace:…`),
type token, name, parent, provider, dependencies, options and the inputs as sent to the engine (secrets
marked). `run` is a standalone program with no platform_kit inside: it imports exactly the classes
recorded, then registers each resource through its own class (keyword arguments named as the SDK names
them) on Pulumi's bare mock runtime (`pulumi.runtime.set_mocks` with Mocks echoing inputs), with the same
parent, provider, `depends_on` (the recorded dependencies) and options. platform_kit's own components
become plain `pulumi.ComponentResource`s with their type tokens, and the seed's dynamic resource a
`pulumi.CustomResource` with its type token and the same inputs (its pickled provider included).
`verify` runs the baseline under platform_kit's recording engine and compares every registration with
the render's (type, name, parent, provider, dependencies, options, inputs): the baseline is only a
baseline if it sends the engine the same thing.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

SECRET = "__benchmark_secret__"


def _jsonable(value: Any) -> Any:
    from pulumi.runtime import rpc

    if rpc.is_rpc_secret(value):
        return {SECRET: _jsonable(rpc.unwrap_rpc_secret(value))}
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot record an input of type {type(value).__name__}")


def record(project: Path, stack: str, out: Path) -> None:
    """Render `stack` and write its registrations, each with the class that registered it."""
    import pulumi.resource

    classes: dict[tuple[str, str], list[str]] = {}
    original = pulumi.resource.Resource.__init__

    def spy(self: Any, t: str, name: str, *args: Any, **kwargs: Any) -> None:
        classes.setdefault((t, name), []).append(f"{type(self).__module__}:{type(self).__qualname__}")
        original(self, t, name, *args, **kwargs)

    pulumi.resource.Resource.__init__ = spy  # type: ignore[method-assign]
    own_secrets: dict[str, list[str]] = {}
    from platform_kit.offline.preview import run_stack

    run = run_stack(project, stack)
    seen: dict[tuple[str, str], int] = {}
    rows = []
    for r in run.registrations:
        index = seen[(r.type, r.name)] = seen.get((r.type, r.name), -1) + 1
        cls = classes[(r.type, r.name)][index]
        if cls not in own_secrets:
            own_secrets[cls] = _class_secret_outputs(cls)
        option = list(r.options["additionalSecretOutputs"])
        for name in own_secrets[cls]:  # the class adds these itself
            option.remove(name)
        rows.append({"class": cls, **_registration_row(r), "secret_outputs_option": option})
    out.write_text(json.dumps({"stack": stack, "registrations": rows}))


def _class_secret_outputs(name: str) -> list[str]:
    """The `additional_secret_outputs` an SDK class adds to the options it is given (read from its source)."""
    module, _, qualname = name.partition(":")
    if not module.startswith("pulumi_"):
        return []
    init = getattr(getattr(importlib.import_module(module), qualname), "_internal_init", None)
    found = re.search(r"additional_secret_outputs=\[([^\]]*)\]", inspect.getsource(init)) if init else None
    return re.findall(r"\"([^\"]+)\"", found.group(1)) if found else []


# --- the baseline program (no platform_kit) ------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def _snake(name: str) -> str:
    return _CAMEL.sub(r"_\1", name).lower()


def _value(value: Any) -> Any:
    import pulumi

    if isinstance(value, dict):
        if len(value) == 1 and SECRET in value:
            return pulumi.Output.secret(_value(value[SECRET]))
        return {key: _value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_value(item) for item in value]
    return value


def _kwargs(cls: type, inputs: dict[str, Any], provider: bool) -> dict[str, Any]:
    """The constructor's keyword arguments for the inputs the engine received (wire names -> SDK names).

    Inputs the class sets itself (a Kubernetes class's `apiVersion` and `kind`) are left to it; `verify`
    checks that the engine receives the same inputs either way."""
    init = getattr(cls, "_internal_init", None) or cls.__init__
    parameters = inspect.signature(init).parameters
    var_keyword = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    kwargs: dict[str, Any] = {}
    for key, value in inputs.items():
        name = _snake(key)
        if provider and isinstance(value, str):
            value = _json_or_text(value)  # provider inputs travel JSON-encoded; the SDK encodes them itself
        if name in parameters and name not in ("self", "resource_name", "opts", "__props__"):
            kwargs[name] = _value(value)
        elif var_keyword and key not in ("apiVersion", "kind"):
            kwargs[key] = _value(value)  # apiextensions.CustomResource: spec and the like
    return kwargs


def _json_or_text(value: str) -> Any:
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return value if isinstance(decoded, str) else decoded


def _stack(rows: list[dict]) -> str:
    return rows[0]["urn"].split("::")[0].removeprefix("urn:pulumi:")


def _project(rows: list[dict]) -> str:
    return rows[0]["urn"].split("::")[1]


def load(data_file: Path) -> tuple[list[dict], Any]:
    """The recorded registrations and the program registering them (the provider classes imported)."""
    import pulumi

    rows = json.loads(Path(data_file).read_text())["registrations"]
    classes: dict[str, type] = {}
    for row in rows:
        module, _, qualname = row["class"].partition(":")
        if module.startswith(("pulumi_", "pulumi.")) and not row["type"].startswith("pulumi-python:dynamic"):
            classes[row["class"]] = getattr(importlib.import_module(module), qualname)

    def program() -> None:
        by_urn: dict[str, pulumi.Resource] = {}
        for row in rows:
            options = row["options"]
            provider = row["provider"].rsplit("::", 1)[0] if row["provider"] else None
            opts = pulumi.ResourceOptions(
                parent=by_urn.get(row["parent"]),
                provider=by_urn[provider] if provider else None,
                depends_on=[by_urn[urn] for urn in row["dependencies"]],
                protect=options["protect"] or None,
                retain_on_delete=options["retainOnDelete"] or None,
                delete_before_replace=options["deleteBeforeReplace"],
                replace_on_changes=options["replaceOnChanges"] or None,
                additional_secret_outputs=row["secret_outputs_option"] or None,
                ignore_changes=row["ignore_changes"] or None,
            )
            cls = classes.get(row["class"])
            if cls is None and row["custom"]:  # the seed's dynamic resource: the same inputs, provider included
                resource = pulumi.CustomResource(row["type"], row["name"], _value(row["inputs"]), opts)
            elif cls is None:  # platform_kit's components: plain components with their type tokens
                resource = pulumi.ComponentResource(row["type"], row["name"], _value(row["inputs"]), opts)
            else:
                provider_class = issubclass(cls, pulumi.ProviderResource)
                resource = cls(row["name"], opts=opts, **_kwargs(cls, row["inputs"], provider_class))
            by_urn[row["urn"]] = resource

    return rows, program


def run(data_file: Path) -> int:
    """Register the recorded resources on Pulumi's bare mock runtime; returns how many."""
    import pulumi
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    class Echo(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
            return f"{args.name}-id", args.inputs

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
            return {}, []

    rows, program = load(data_file)
    pulumi.runtime.set_mocks(Echo(), project=_project(rows), stack=_stack(rows), preview=False)
    _sync_await(run_pulumi_func(program))
    return len(rows)


def _registration_row(r: Any) -> dict[str, Any]:
    """What the baseline records of one registration, and what its replay must reproduce."""
    return {
        "type": r.type,
        "name": r.name,
        "urn": r.urn,
        "custom": r.custom,
        "parent": r.parent,
        "provider": r.provider,
        "dependencies": r.dependencies,
        "options": r.options,
        "ignore_changes": r.ignore_changes,
        "inputs": _jsonable(r.raw_inputs),
    }


def verify(data_file: Path) -> list[str]:
    """Differences between the render's registrations and the baseline's (empty: the same)."""
    from platform_kit.offline import engine

    rows, program = load(data_file)
    registrations = engine.run_program(program, project=_project(rows), stack=_stack(rows))
    problems = []
    if len(registrations) != len(rows):
        problems.append(f"{len(registrations)} registrations, the render made {len(rows)}")
    by_urn = {r.urn: r for r in registrations}
    for row in rows:
        r = by_urn.get(row["urn"])
        if r is None:
            problems.append(f"{row['type']} {row['name']}: not registered")
            continue
        for key, value in _registration_row(r).items():
            if row[key] != value:
                problems.append(f"{row['type']} {row['name']}: {key} differs: {_diff(row[key], value)}")
    return problems


def _diff(want: Any, got: Any) -> str:
    if isinstance(want, dict) and isinstance(got, dict):
        keys = sorted(k for k in {*want, *got} if want.get(k) != got.get(k))
        return "; ".join(f"{k}: {str(want.get(k))[:80]!r} vs {str(got.get(k))[:80]!r}" for k in keys[:4])
    return f"{str(want)[:100]!r} vs {str(got)[:100]!r}"


def provider_modules() -> list[str]:
    """The provider SDK packages this process imported (`pulumi_aws.iam`, `pulumi_kubernetes.core.v1`: whose
    `__init__` ran, which imports every class of the package; not single class modules);
    the SDKs' lazy placeholders (importlib.util.LazyLoader modules never touched) do not count."""
    found = set()
    for name in list(sys.modules):
        parts = name.split(".")
        if parts[0].startswith("pulumi_") and not parts[-1].startswith("_"):
            module = sys.modules[name]
            if type(module).__name__ == "_LazyModule":  # pulumi._utils's and importlib.util's: never loaded
                continue
            if hasattr(module, "__path__") or len(parts) == 1:  # packages only
                found.add(name)
    return sorted(found)


def main() -> None:
    command, *rest = sys.argv[1:]
    if command == "record":
        record(Path(rest[0]), rest[1], Path(rest[2]))
    elif command == "run":
        count = run(Path(rest[0]))
        if "--modules" in rest:
            print(json.dumps(provider_modules()))
        print(count)
    elif command == "verify":
        problems = verify(Path(rest[0]))
        print("\n".join(problems[:20]) or "same registrations")
        sys.exit(1 if problems else 0)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
