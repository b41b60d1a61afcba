"""Config errors that name every problem by its field path, in plain words.

A problem shows the bad value where that helps (`platform.gitops.interval: `5 minutes` is not a
duration like 30s, 5m, 1h`), never a secret one: fields typed `SecretStr` or named like a token,
password, key or secret show `[secret]`, and a URL's user info is hidden.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic.alias_generators import to_camel

DISCRIMINATED_FIELDS = frozenset({"cluster", "gitops", "credentials", "network", "fleet"})
"""Fields whose validation errors carry the variant tag as an extra path segment."""

SECRET_SHOWN = "[secret]"
"""What a problem shows instead of a secret value."""

SECRET_NAME = re.compile(r"token|password|passphrase|secret|key|credential|content", re.IGNORECASE)
"""Field names whose values are never shown (besides fields typed SecretStr)."""

NOT_SECRET_NAME = re.compile(r"(Env|Path|File|Id|Marker)$")
"""...unless the name says the value only points at the secret (`tokenEnv`, `privateKeyPath`)."""

PATTERN_WORDS = {
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$": "a lower-case DNS label (a-z, 0-9 and `-`, starting and ending "
    "with a letter or digit)",
    r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$": "a duration like 30s, 5m, 1h or 1h30m (units ms, s, m, h)",
    r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$": "a relative path like `clusters/dev` (letters, digits, `.`, `_`, `-`, "
    "separated by `/`)",
    r"^[A-Za-z_][A-Za-z0-9_]*$": "an environment variable name like `GIT_TOKEN` (letters, digits, `_`)",
    r"^[a-z]{2}(-gov)?-[a-z]+-\d$": "an AWS region like `eu-west-1`",
    r"^1\.\d{2}$": "a Kubernetes minor version like `1.31`",
    r"^arn:aws(-[a-z]+)*:(iam|sts)::\d{12}:(role|user|assumed-role)/[\w+=,.@/-]+$": "an IAM role or user ARN like "
    "`arn:aws:iam::123456789012:role/admin`",
    r"^vpc-[0-9a-f]{8,17}$": "a VPC id like `vpc-0abc12345def67890`",
    r"^subnet-[0-9a-f]{8,17}$": "a subnet id like `subnet-0abc12345def67890`",
    r"^[a-zA-Z0-9][a-zA-Z0-9_-]*$": "a name of letters, digits, `_` and `-`, starting with a letter or digit",
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$": "a name of letters, digits, `.`, `_` and `-`, starting with a letter or digit",
    r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$": "a Kubernetes quantity like `500m`, `2`, `512Mi` or `1Gi`",
    r"^[A-Za-z0-9._/-]+$": "a branch name of letters, digits, `.`, `_`, `/` and `-`",
    r"^[0-9]+(h|d|w|y)$": "a retention like 12h, 30d, 4w or 1y (a whole number of hours, days, weeks or years)",
    r"^[1-9][0-9]*(Mi|Gi|Ti)$": "a size like 512Mi, 10Gi or 1Ti",
    r"^\S(.*\S)?$": "a name without leading or trailing spaces",
}
"""Plain words for the patterns of the config's constrained strings (an unknown one is shown as is)."""

TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "url_type": "a URL",
    "url_parsing": "a URL",
    "url_scheme": "a URL",
}
"""What a value of the wrong type should have been."""


class Problem(NamedTuple):
    """One config problem: where (`platform.cluster.name`) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ConfigError(Exception):
    """Invalid stack config; `problems` lists each one by field path."""

    def __init__(self, problems: list[Problem], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        """A multi-line, human-readable list of the problems."""
        head = f"invalid config in {self.source}" if self.source else "invalid config"
        lines = [f"{head} ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}):"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


def field_path(prefix: str, loc: tuple[str | int, ...]) -> str:
    """`('cluster', 'existing', 'kubeconfig')` -> `platform.cluster.kubeconfig` (tags dropped)."""
    path = prefix
    skip_next = False
    for segment in loc:
        if skip_next:
            skip_next = False
            continue
        if isinstance(segment, int):
            path += f"[{segment}]"
            continue
        path += f".{to_camel(segment)}"
        skip_next = segment in DISCRIMINATED_FIELDS
    return path


def suggest(word: str, choices: typing.Iterable[str], cutoff: float = 0.7) -> str | None:
    """The choice `word` is most likely a misspelling of (difflib), if any is close enough."""
    by_lower = {choice.lower(): choice for choice in sorted(set(choices), reverse=True)}
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=cutoff)
    return by_lower[matches[0]] if matches else None


def problems_from_validation(
    error: ValidationError, prefix: str = "platform", model: type[BaseModel] | None = None
) -> list[Problem]:
    """Turn a pydantic error into path-named problems in plain words (secret values never shown).

    `model` (the validated class) lets an unknown key be matched to the model's keys at its level:
    `agnet` is reported as itself with "did you mean `agent`?", and `agent` is then not also reported missing."""
    items = error.errors(include_url=False)
    locs = [tuple(item["loc"]) for item in items]
    strays = _stray_keys(items, model)
    explained = {missing for _, missing in strays.values() if missing is not None}
    problems = []
    for index, item in enumerate(items):
        loc = tuple(item["loc"])
        if item["type"] == "too_short" and any(other[: len(loc)] == loc and other != loc for other in locs):
            continue  # "too short" only because an element inside failed; that element is reported
        if index in strays:
            stray_loc, _ = strays[index]
            guess = _suggestion_for(item, model, stray_loc)
            hint = f"; did you mean `{guess}`?" if guess else ""
            where = f"{field_path(prefix, stray_loc[:-1])}.{stray_loc[-1]}"  # the key as written
            problems.append(Problem(where, f"unknown key `{stray_loc[-1]}`{hint}"))
            continue
        if item["type"] in ("missing", "union_tag_not_found") and _missing_loc(item) in explained:
            continue  # the stray key next to it is its misspelling, reported with the suggestion
        problems.append(Problem(field_path(prefix, loc), _message(item, model)))
    return problems


def _missing_loc(item: Any) -> tuple[Any, ...]:
    """Where a required key is missing: the key's own location (a discriminator: the union's location + its name)."""
    loc = tuple(item["loc"])
    if item["type"] == "union_tag_not_found":
        return (*loc, str(item.get("ctx", {}).get("discriminator", "")).strip("'"))
    return loc


def _stray_keys(items: list[Any], model: type[BaseModel] | None) -> dict[int, tuple[tuple[Any, ...], Any]]:
    """error index -> (location of an unknown key, location of the missing key it misspells, or None)."""
    missing = {_missing_loc(item) for item in items if item["type"] in ("missing", "union_tag_not_found")}
    strays: dict[int, tuple[tuple[Any, ...], Any]] = {}
    for index, item in enumerate(items):
        loc = tuple(item["loc"])
        if item["type"] == "extra_forbidden" and loc:
            parent = loc[:-1]
            siblings = [m[-1] for m in missing if m[:-1] == parent and isinstance(m[-1], str)]
            close = suggest(str(loc[-1]), siblings)
            strays[index] = (loc, (*parent, close) if close else None)
        elif item["type"] == "union_tag_not_found" and isinstance(item.get("input"), dict):
            # a discriminated union whose tag is missing reports no unknown key: find its misspelling
            tag = _missing_loc(item)[-1]
            close = suggest(tag, [str(key) for key in item["input"]])
            if close is not None and close != tag:
                strays[index] = ((*loc, close), _missing_loc(item))
    return strays


def _suggestion_for(item: Any, model: type[BaseModel] | None, stray: tuple[Any, ...]) -> str | None:
    if item["type"] == "union_tag_not_found":
        return _missing_loc(item)[-1]
    names = _keys_at(model, stray[:-1]) if model is not None else []
    return suggest(str(stray[-1]), names)


def _message(item: Any, model: type[BaseModel] | None) -> str:
    """One pydantic error in plain words; custom validators' messages as they are."""
    kind, ctx, loc = item["type"], item.get("ctx") or {}, tuple(item["loc"])
    value = _shown(item.get("input"), loc, model)
    was = f" (got {value})" if value else ""
    if kind in ("value_error", "assertion_error"):
        return item["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "missing":
        return "is required"
    if kind == "union_tag_invalid":
        return f"unknown {ctx['discriminator'].strip(chr(39))} `{ctx['tag']}` (expected {ctx['expected_tags']})"
    if kind == "union_tag_not_found":
        return f"missing {ctx['discriminator']}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        allowed = PATTERN_WORDS.get(pattern, f"text matching the pattern `{pattern}`")
        return f"{value or 'the value'} is not {allowed}"
    if kind == "literal_error":
        return f"{value or 'the value'} is not one of {ctx.get('expected')}"
    if kind in TYPE_WORDS:
        return f"must be {TYPE_WORDS[kind]}{was}"
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters{was}"
    if kind == "string_too_short":
        return f"is too short: at least {ctx.get('min_length')} characters{was}"
    if kind == "too_long":
        return f"has too many entries: at most {ctx.get('max_length')}"
    if kind == "too_short":
        return f"has too few entries: at least {ctx.get('min_length')}"
    bounds = {
        "greater_than": "greater than",
        "greater_than_equal": "at least",
        "less_than": "less than",
        "less_than_equal": "at most",
    }
    if kind in bounds:
        limit = next(iter(ctx.values()), "")
        return f"must be {bounds[kind]} {limit}{was}"
    if kind == "extra_forbidden":
        return f"unknown key `{loc[-1]}`" if loc else "unknown key"
    return item["msg"].removeprefix("Value error, ")  # custom (PydanticCustomError) messages are already plain


def _shown(value: Any, loc: tuple[Any, ...], model: type[BaseModel] | None) -> str:
    """The bad value as a problem shows it: `[secret]` for secrets, nothing for long or structured values."""
    if value is None or isinstance(value, dict | list | tuple):
        return ""
    names = [segment for segment in loc if isinstance(segment, str)]
    if (
        (names and SECRET_NAME.search(names[-1]) and not NOT_SECRET_NAME.search(names[-1]))
        or _is_secret_field(model, loc)
        or isinstance(value, SecretStr)
    ):
        return f"`{SECRET_SHOWN}`"
    text = value if isinstance(value, str) else repr(value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    if "\n" in text or len(text) > 80:
        return ""
    text = re.sub(r"//[^/@\s]*@", f"//{SECRET_SHOWN}@", text)  # user info of a URL
    return f"`{text}`"


# --- the model behind an error location ------------------------------------


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation allows (Annotated, Optional, unions and containers opened)."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [t for arg in get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _items(annotation: Any) -> list[Any]:
    """The element types of a tuple/list/dict annotation."""
    args = [arg for arg in get_args(annotation) if arg is not Ellipsis]
    if get_origin(annotation) is dict:
        args = args[1:]
    return [t for arg in args for t in _unwrap(arg)]


def _field(model: type[BaseModel], name: str) -> Any:
    for field_name, info in model.model_fields.items():
        if name in (field_name, info.alias):
            return info
    return None


def _resolve(model: type[BaseModel], loc: tuple[Any, ...]) -> list[Any]:
    """The types that may sit at `loc` under `model` (best effort; [] when it cannot tell)."""
    current: list[Any] = [model]
    for segment in loc:
        following: list[Any] = []
        for kind in current:
            if isinstance(segment, int) or get_origin(kind) is dict:
                following += _items(kind)
            elif isinstance(kind, type) and issubclass(kind, BaseModel):
                info = _field(kind, segment)
                if info is not None:
                    following += _unwrap(info.annotation)
                elif _literal_has(kind, segment):
                    following.append(kind)  # the variant tag of a discriminated union
        current = following
        if not current:
            return []
    return current


def _literal_has(model: type[BaseModel], tag: str) -> bool:
    for info in model.model_fields.values():
        for kind in _unwrap(info.annotation):
            if get_origin(kind) is typing.Literal and tag in get_args(kind):
                return True
    return False


def _keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the model(s) at `loc` accept, by alias (camelCase)."""
    keys = []
    for kind in _resolve(model, loc):
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            keys += [info.alias or name for name, info in kind.model_fields.items()]
    return keys


def _is_secret_field(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> bool:
    if model is None or not loc:
        return False
    return any(kind is SecretStr for kind in _resolve(model, loc))
