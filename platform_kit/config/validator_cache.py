"""The config models' built validators, kept on disk so a process need not build them again.

Building the pydantic validators of the ~35 config models (pydantic's schema generation in Python, and
the discovery of pydantic plugins through package metadata) was most of what `platform-kit validate`
spent beyond importing pydantic. The models are declared with `defer_build=True`; the first process that
validates a stack builds them once and stores each model's core schema (without its JSON Schema hooks,
which validation does not use) in `<cache>/config-validators/<key>.pickle`. Later processes rebuild only
the Rust validators from those schemas (about 2 ms) as each class is created.

The key covers the sources of `platform_kit.config`, the versions of pydantic, pydantic-core and Python,
so any change builds afresh. The cache is only an accelerator: absent, unreadable, corrupt, stale or
read-only, the models build as pydantic always builds them, with the same validators, so errors and
field paths are the same either way. Anything else the models do (serialization, `model_json_schema`,
`model_copy`) builds the model the usual way on first use. Validators read from the cache run without
pydantic plugins (the `pydantic` entry points, e.g. logfire's instrumentation): they are not discovered.

Location as for the Git object cache (docs/seeding.md): `PLATFORM_KIT_CACHE_DIR`, else
`$XDG_CACHE_HOME/platform-kit`, else `~/.cache/platform-kit`; `PLATFORM_KIT_CACHE=off` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

_PACKAGE = "platform_kit.config"
SOURCES = Path(__file__).parent
"""The package whose sources key the cache."""
_DIR = "config-validators"
_FORMAT = 1

_state: dict[str, Any] = {}
"""`entries` ({module:qualname: pickled (core schema, core config)} or None) and `path` once looked up; `used`:
names whose validator came from the cache in this process."""

_models: dict[str, type] = {}
"""Config models created so far in this process, by `module:qualname` (a class is not yet bound to its name in
its module while it is created, so the pickles name models through this registry)."""


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> tuple[str, ...] | None:
        if isinstance(obj, type):
            return (_name(obj),) if _models.get(_name(obj)) is obj else None
        qualname, module = getattr(obj, "__qualname__", None), getattr(obj, "__module__", None)
        if not isinstance(qualname, str) or not isinstance(module, str) or "." not in qualname:
            return None
        owner, _, member = qualname.rpartition(".")  # a validator defined in a model's body
        model = _models.get(f"{module}:{owner}")
        if model is not None and "." not in member and model.__dict__.get(member) is obj:
            return (_name(model), member)
        return None


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        model = _models[pid[0]]  # KeyError for a model not created yet: that class builds as usual
        return model.__dict__[pid[1]] if len(pid) > 1 else model


def _name(model: type) -> str:
    return f"{model.__module__}:{model.__qualname__}"


def cache_file() -> Path | None:
    """This installation's cache file (None when `PLATFORM_KIT_CACHE=off`)."""
    env = os.environ
    if env.get("PLATFORM_KIT_CACHE", "").strip().lower() in ("off", "0", "false", "no"):
        return None
    if env.get("PLATFORM_KIT_CACHE_DIR"):
        root = Path(env["PLATFORM_KIT_CACHE_DIR"]).expanduser()
    else:
        base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".cache")
        root = Path(base) / "platform-kit"
    import pydantic
    import pydantic_core

    digest = hashlib.sha256(
        f"{_FORMAT}|{pydantic.VERSION}|{pydantic_core.__version__}|{sys.version}|{sys.implementation.cache_tag}".encode()
    )
    for source in sorted(SOURCES.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return root / _DIR / f"{digest.hexdigest()[:32]}.pickle"


def _entries() -> dict[str, bytes] | None:
    if "entries" not in _state:
        _state["entries"], _state["used"] = None, set()
        try:
            _state["path"] = path = cache_file()
            if path is not None and path.is_file():
                entries = pickle.loads(path.read_bytes())
                if isinstance(entries, dict):
                    _state["entries"] = entries
        except Exception:  # noqa: BLE001 - an accelerator: any failure means building as usual
            _state["entries"] = None
    return _state["entries"]


def install(model: type) -> None:
    """Give a just-created config model its validator from the cache, when the cache has it."""
    name = _name(model)
    _models[name] = model
    entries = _entries()
    if not entries or name not in entries:
        return
    try:
        import io

        from pydantic_core import SchemaValidator

        schema, config = _Unpickler(io.BytesIO(entries[name])).load()
        model.__pydantic_validator__ = SchemaValidator(schema, config)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a schema this pydantic-core refuses: build as usual
        return
    _state["used"].add(name)


def used() -> frozenset[str]:
    """The models whose validator this process took from the cache."""
    return frozenset(_state.get("used", ()))


def _without_json_schema_hooks(node: Any) -> Any:
    """A core schema without pydantic's JSON Schema functions (`metadata`), which validation never reads."""
    if isinstance(node, dict):
        return {
            key: _without_json_schema_hooks(value)
            for key, value in node.items()
            if not (key == "metadata" and isinstance(value, dict) and all(k.startswith("pydantic") for k in value))
        }
    if isinstance(node, list | tuple):
        return type(node)(_without_json_schema_hooks(value) for value in node)
    return node


def _config_models() -> list[type]:
    """Every config model created so far (each passed through `install`), test-local ones left out."""
    return [
        model
        for model in _models.values()
        if model.__module__.startswith(_PACKAGE + ".") and "<locals>" not in model.__qualname__
    ]


def save_if_missing() -> None:
    """After a validation without the cache: build every config model and store the validators (once)."""
    if _entries() is not None or _state.get("saved") or _state.get("path") is None:
        return
    _state["saved"] = True
    try:
        import io
        import tempfile

        from pydantic_core import SchemaValidator

        entries: dict[str, bytes] = {}
        for model in _config_models():
            model.model_rebuild()  # type: ignore[attr-defined]
            validator = model.__pydantic_validator__  # type: ignore[attr-defined]
            if not isinstance(validator, SchemaValidator):  # pydantic plugins wrap it: do not bypass them
                return
            schema, config = validator.__reduce__()[1][:2]
            buffer = io.BytesIO()
            _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((_without_json_schema_hooks(schema), config))
            entries[_name(model)] = buffer.getvalue()
        data = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
        path: Path = _state["path"]
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)
    except Exception:  # noqa: BLE001 - read-only or full disk, an unpicklable validator: no cache, no harm
        try:
            os.unlink(handle.name)  # type: ignore[possibly-undefined]
        except Exception:  # noqa: BLE001, S110
            pass
