"""The metadata-contract reference (docs/metadata-contract.md), generated from `PlatformMetadata`.

    python -m platform_kit.config.contract_reference > docs/metadata-contract.md

Every key name is read back from the model's own conversions (`to_variables`,
`to_annotations`, `to_labels`) of a sample whose fields hold distinct markers, so the
page names exactly what the agents receive. A test regenerates it and compares.
"""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

from platform_kit.config import metadata
from platform_kit.config.docstrings import attribute_docstrings
from platform_kit.config.metadata import (
    CONTRACT_VERSION,
    METADATA_CONFIGMAP,
    PlatformMetadata,
    annotation_template,
    team_annotation_template,
    variable,
)

TEAM = "x-team-x"
"""Marker team name in the sample; shown as `<team>` (and `<TEAM>` in variable names)."""

TEAM_FIELD = "team_role_arns"
"""The one field that expands to one key per team."""


def _marker(field: str) -> str:
    return f"x-{field.replace('_', '-')}-x"


def _sample() -> PlatformMetadata:
    """A contract whose every value is unique, so each key can be traced back to its field."""
    fixed = ("contract_version", TEAM_FIELD)  # a Literal keeps its one value; the map gets one marker team
    values: dict[str, Any] = {field: _marker(field) for field in PlatformMetadata.model_fields if field not in fixed}
    return PlatformMetadata(**values, **{TEAM_FIELD: {TEAM: _marker(TEAM_FIELD)}})


def _keys_by_field(keys: dict[str, str], sample: PlatformMetadata) -> dict[str, list[str]]:
    """Field -> the keys whose value is that field's value in `sample`."""
    values = sample.model_dump()
    by_value: dict[str, str] = {str(values[f]): f for f in PlatformMetadata.model_fields if f != TEAM_FIELD}
    by_value[_marker(TEAM_FIELD)] = TEAM_FIELD
    found: dict[str, list[str]] = {}
    for key, value in keys.items():
        found.setdefault(by_value[value], []).append(key)
    return found


def _show(key: str) -> str:
    return key.replace(TEAM.upper().replace("-", "_"), "<TEAM>").replace(TEAM, "<team>")


def _type(field: str) -> str:
    annotation = PlatformMetadata.model_fields[field].annotation
    if get_origin(annotation) is Literal:
        return " \\| ".join(f"`{value}`" for value in get_args(annotation))
    if annotation is str:
        return "string"
    if get_origin(annotation) is dict:
        key, value = ("string" if arg is str else getattr(arg, "__name__", str(arg)) for arg in get_args(annotation))
        return f"map of {key} to {value} (key: team name)" if field == TEAM_FIELD else f"map of {key} to {value}"
    return f"`{annotation}`"


def _default(field: str) -> str:
    info = PlatformMetadata.model_fields[field]
    if info.is_required():
        return "(required)"
    return f"`{info.default}`" if info.default != {} else "empty"


HEADER = """# Metadata contract

Generated from `PlatformMetadata` (`platform_kit/config/metadata.py`) by
`python -m platform_kit.config.contract_reference`; do not edit by hand.

{summary} Contract version: **`{version}`**.

{doc}

- **Flux**: the ConfigMap `{configmap}` in the agent's namespace holds every variable;
  the root `flux-system` Kustomization and every platform Kustomization name it in
  `postBuild.substituteFrom`, so a manifest in Git writes `{flux_example}`. Team tenant
  Kustomizations get no platform variables.
- **Argo CD**: the in-cluster cluster Secret carries every field as an annotation and
  the selectable ones also as labels; an ApplicationSet with the cluster generator reads
  `{argocd_example}`. Argo CD substitutes nothing itself: the Pulumi-owned root
  Application carries the same `PLATFORM_*` values as kustomize patches, so the
  `${{PLATFORM_*}}` placeholders in `clusters/<env>/` are filled as under Flux.
- **Teams**: one more key per team (last row); the `teams` ApplicationSet reads the role
  of the team directory it generates for as `{team_example}`.
"""


def contract_reference() -> str:
    """The whole page as Markdown: where the contract lives, then one row per field."""
    sample = _sample()
    variables = _keys_by_field(sample.to_variables(), sample)
    annotations = _keys_by_field(sample.to_annotations(), sample)
    labels = _keys_by_field(sample.to_labels(), sample)
    doc = " ".join((metadata.__doc__ or "").split("\n\n", 1)[-1].split())
    header = HEADER.format(
        summary=" ".join((PlatformMetadata.__doc__ or "").split()),
        version=CONTRACT_VERSION,
        doc=doc,
        configmap=METADATA_CONFIGMAP,
        flux_example=variable("region"),
        argocd_example=annotation_template("region"),
        team_example=team_annotation_template(),
    )
    lines = [
        header,
        "| field | Flux variable (ConfigMap key) | Argo CD cluster Secret | type | default | description |",
        "|---|---|---|---|---|---|",
    ]
    docstrings = attribute_docstrings(PlatformMetadata)  # the model does not parse its source at import
    for field, info in PlatformMetadata.model_fields.items():
        flux = ", ".join(f"`{_show(key)}`" for key in variables.get(field, [])) or "-"
        argocd = [f"annotation `{_show(key)}`" for key in annotations.get(field, [])]
        argocd += [f"label `{_show(key)}`" for key in labels.get(field, [])]
        description = " ".join((info.description or docstrings.get(field, "")).split())
        lines.append(
            f"| `{field}` | {flux} | {', '.join(argocd) or '-'} | {_type(field)} | {_default(field)} | {description} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    print(contract_reference(), end="")


if __name__ == "__main__":
    main()
