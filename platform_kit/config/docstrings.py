"""Attribute docstrings as JSON Schema descriptions, read only when a schema is asked for.

Pydantic's `use_attribute_docstrings` parses each model's source while the class is created
(a third of the time `platform-kit validate` took); the descriptions only matter for
`platform-kit schema` and the config reference, so they are read here, once per module, on demand.
"""

from __future__ import annotations

import ast
import inspect
import sys
from functools import cache
from typing import Any

from pydantic import BaseModel


@cache
def _module_docstrings(module_name: str) -> dict[str, dict[str, str]]:
    """{class name: {attribute: docstring}} for the top-level classes of a module."""
    module = sys.modules.get(module_name)
    try:
        source = inspect.getsource(module) if module else ""
    except (OSError, TypeError):
        return {}
    found: dict[str, dict[str, str]] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        docs: dict[str, str] = {}
        for current, following in zip(node.body, node.body[1:], strict=False):
            if (
                isinstance(current, ast.AnnAssign)
                and isinstance(current.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[current.target.id] = inspect.cleandoc(following.value.value)
        found[node.name] = docs
    return found


def attribute_docstrings(model: type[BaseModel]) -> dict[str, str]:
    """{field name: docstring} for a model, inherited fields from the class that declares them."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if isinstance(cls, type) and issubclass(cls, BaseModel) and cls is not BaseModel:
            docs.update(_module_docstrings(cls.__module__).get(cls.__name__, {}))
    return {name: text for name, text in docs.items() if name in model.model_fields}


def _models(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    seen: dict[str, type[BaseModel]] = {}
    stack = [root]
    while stack:
        model = stack.pop()
        if model.__name__ in seen:
            continue
        seen[model.__name__] = model
        for field in model.model_fields.values():
            stack.extend(_nested_models(field.annotation))
    return seen


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_nested_models(arg))
    metadata = getattr(annotation, "__metadata__", None)
    if metadata is not None:
        found.extend(_nested_models(getattr(annotation, "__origin__", None)))
    return found


def add_descriptions(
    schema: dict[str, Any], root: type[BaseModel], defs: dict[str, Any], by_alias: bool = True
) -> None:
    """Give every property of `schema` (root) and `defs` ($defs by class name) its attribute docstring,
    unless it already has a description (an explicit `Field(description=...)` wins, as in pydantic)."""
    models = _models(root)
    for name, definition in [(root.__name__, schema), *defs.items()]:
        model = models.get(name)
        if model is None:
            continue
        properties = definition.get("properties", {})
        for field_name, text in attribute_docstrings(model).items():
            field = model.model_fields[field_name]
            key = (field.alias or field_name) if by_alias else field_name
            prop = properties.get(key)
            if prop is not None and "description" not in prop:
                properties[key] = dict(sorted({**prop, "description": text}.items()))  # pydantic sorts keys
