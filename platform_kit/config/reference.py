"""The config reference (docs/config-reference.md), generated from the stack-file JSON Schema.

    python -m platform_kit.config.reference > docs/config-reference.md

A test regenerates it and compares, so the docs cannot drift from the models.
"""

from __future__ import annotations

from typing import Any

from platform_kit.config.loaders import NAMESPACE, stack_config_schema

HEADER = """# Config reference

Generated from the JSON Schema of the stack file (`platform-kit schema`) by
`python -m platform_kit.config.reference`; do not edit by hand. Keys live under the
`platform:` namespace of `stacks/Pulumi.<stack>.yaml`. A value marked *secret* may be
written as `{secure: ...}` by `pulumi config set --secret`.
"""


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def _type(schema: dict[str, Any]) -> str:
    """A short human type for a property schema."""
    if name := _ref_name(schema):
        return f"[{name}](#{name.lower()})"
    if "const" in schema:
        return f"`{schema['const']}`"
    if "enum" in schema:
        return " \\| ".join(f"`{value}`" for value in schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            variants = [_type(variant) for variant in schema[key] if variant.get("type") != "null"]
            secret = any(v.get("format") == "password" or "secure" in v.get("properties", {}) for v in schema[key])
            text = " or ".join(dict.fromkeys(v for v in variants if v))
            return f"{text} (secret)" if secret and "secret" not in text else text
    if schema.get("format") == "password":
        return "string (secret)"
    kind = schema.get("type", "")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        return "map of string"
    return str(kind)


def _default(schema: dict[str, Any]) -> str:
    if schema.get("default") is None:
        return ""
    value = schema["default"]
    if isinstance(value, (dict, list)) and len(str(value)) > 40:
        return "(see type)"
    return f"`{value}`"


def _table(definition: dict[str, Any]) -> list[str]:
    required = set(definition.get("required", []))
    lines = ["| key | type | default | description |", "|---|---|---|---|"]
    for key, prop in definition.get("properties", {}).items():
        name = f"`{key}`" + (" (required)" if key in required else "")
        description = " ".join(str(prop.get("description", "")).split())
        lines.append(f"| {name} | {_type(prop)} | {_default(prop)} | {description} |")
    return lines


def config_reference() -> str:
    """The whole reference as Markdown: top-level keys, then one table per model."""
    schema = stack_config_schema()
    top = schema["properties"]["config"]
    lines = [HEADER, "## Top-level keys", ""]
    top_definition = {
        "properties": {key.removeprefix(f"{NAMESPACE}:"): value for key, value in top["properties"].items()},
        "required": [key.removeprefix(f"{NAMESPACE}:") for key in top.get("required", [])],
    }
    lines += _table(top_definition)
    for name, definition in sorted(schema["$defs"].items()):
        lines += ["", f"## {name}", ""]
        if definition.get("description"):
            lines += [" ".join(definition["description"].split()), ""]
        lines += _table(definition)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(config_reference(), end="")
