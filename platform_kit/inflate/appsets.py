"""ApplicationSets expanded offline: the generators Argo CD evaluates, the Go template rendered by Helm's engine.

Supported: `goTemplate: true` ApplicationSets whose generators are `clusters` (label selector
over the cluster Secrets Pulumi applies), `git` directories on the config repo, `list`, and
`matrix` of two. As Argo CD does since v2.5 (`InterpolateGenerator`, `RenderGeneratorParams`),
the matrix's second generator is rendered with each parameter set of the first before it runs
(here: the git generator's `repoURL`, `revision` and directory paths), with `missingkey=error`. The template is
rendered with Go's text/template and sprig through `helm-python-sdk` (Argo CD uses the same
libraries; its own extra functions such as `normalize` are not there and fail clearly).
Anything else raises `UnsupportedApplicationSet`, which the walker reports as not inflated.
"""

from __future__ import annotations

import copy
import fnmatch
import re
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from platform_kit.inflate.charts import deep_merge, helm_module

CLUSTER_SECRET_LABEL = "argocd.argoproj.io/secret-type"
"""Label that makes a Secret an Argo CD cluster (value `cluster`)."""

_NOT_DNS = re.compile(r"[^a-z0-9.-]+")


class UnsupportedApplicationSet(Exception):
    """The ApplicationSet uses something this offline expansion does not evaluate."""


def expand_application_set(
    appset: dict[str, Any], clusters: list[dict[str, Any]], repo_root: Path, repo_urls: set[str]
) -> list[dict[str, Any]]:
    """The Applications `appset` generates, given the cluster Secrets and the config repo checkout."""
    spec = appset.get("spec") or {}
    if not spec.get("goTemplate"):
        raise UnsupportedApplicationSet("only goTemplate ApplicationSets are expanded")
    if spec.get("templatePatch"):
        raise UnsupportedApplicationSet("spec.templatePatch is not evaluated offline")
    strategy = spec.get("strategy") or {}
    if strategy and strategy.get("type") != "RollingSync":  # RollingSync orders syncs; it generates the same
        raise UnsupportedApplicationSet("spec.strategy other than RollingSync is not evaluated offline")
    context = _Context(clusters, repo_root, repo_urls)
    params = [p for generator in spec.get("generators") or [] for p in context.generate(generator, {})]
    return render_templates(spec.get("template") or {}, params)


def render_templates(template: dict[str, Any], params: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`template` rendered once per parameter set, each string field on its own as Argo CD's goTemplate does."""
    if not params:
        return []
    fields: list[str] = []
    _collect_templated(template, fields)
    missing = sorted({ref for text in fields for p in params for ref in _missing_references(text, p)})
    if missing:
        raise UnsupportedApplicationSet(
            f"the template refers to parameters no generator provides: {', '.join(missing)}"
        )
    nonce = uuid.uuid4().hex
    body = "".join(f"@@{nonce}-{index}@@{text}" for index, text in enumerate(fields))
    loop = "{{- range $params := .Values.params }}{{- with $params }}%s@@%s-end@@{{- end }}{{- end }}"
    rendered = _render_go_template(loop % (body, nonce), {"params": params}) if fields else ""
    per_params = rendered.split(f"@@{nonce}-end@@")
    apps = []
    for index in range(len(params)):
        values = re.split(rf"@@{nonce}-\d+@@", per_params[index])[1:] if fields else []
        app = _substitute(copy.deepcopy(template), dict(zip(fields, values, strict=True)))
        apps.append({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", **app})
    return apps


_ACTION = re.compile(r"{{(.*?)}}", re.DOTALL)
_FIELD_CHAIN = re.compile(r"(?<![\w$)\]\"'.])\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")


def _missing_references(text: str, params: Mapping[str, Any]) -> list[str]:
    """Field chains (`.path.basename`) in `text`'s actions that `params` lacks (Argo CD's missingkey=error)."""
    missing = []
    for action in _ACTION.findall(text):
        for chain in _FIELD_CHAIN.findall(re.sub(r'"(?:[^"\\]|\\.)*"', '""', action)):
            node: Any = params
            for part in chain.split("."):
                if not isinstance(node, Mapping) or part not in node:
                    missing.append(f".{chain}")
                    break
                node = node[part]
    return missing


def _collect_templated(node: Any, fields: list[str]) -> None:
    """Every string value in `node` that holds a template action, once each, in document order."""
    if isinstance(node, dict):
        for value in node.values():
            _collect_templated(value, fields)
    elif isinstance(node, list):
        for value in node:
            _collect_templated(value, fields)
    elif isinstance(node, str) and "{{" in node and node not in fields:
        fields.append(node)


def _substitute(node: Any, rendered: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        return {key: _substitute(value, rendered) for key, value in node.items()}
    if isinstance(node, list):
        return [_substitute(value, rendered) for value in node]
    if isinstance(node, str):
        return rendered.get(node, node)
    return node


def _render_go_template(text: str, values: dict[str, Any]) -> str:
    helm = helm_module()
    with tempfile.TemporaryDirectory(prefix="platform-kit-appset-") as workdir:
        chart = Path(workdir) / "appset"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: appset\nversion: 0.0.0\n")
        (chart / "templates" / "applications.yaml").write_text(text)
        try:
            rendered = helm.Chart.load(str(chart)).render(values, name="appset", namespace="argocd")
        except helm.HelmError as error:
            raise UnsupportedApplicationSet(f"template failed to render: {error}") from None
    return rendered.get("appset/templates/applications.yaml", "")


class _Context:
    def __init__(self, clusters: list[dict[str, Any]], repo_root: Path, repo_urls: set[str]):
        self.clusters = clusters
        self.repo_root = repo_root
        self.repo_urls = repo_urls
        self._all_directories: list[str] | None = None

    def generate(self, generator: dict[str, Any], outer: dict[str, Any]) -> list[dict[str, Any]]:
        """Parameter sets of one generator; `outer` are a matrix's first generator's parameters."""
        if "clusters" in generator:
            return self._clusters(generator["clusters"] or {})
        if "git" in generator:
            return self._git(generator["git"], outer)
        if "list" in generator:
            return [dict(element) for element in (generator["list"] or {}).get("elements") or []]
        if "matrix" in generator:
            return self._matrix(generator["matrix"] or {})
        raise UnsupportedApplicationSet(f"generator {sorted(generator)} is not evaluated offline")

    def _clusters(self, spec: dict[str, Any]) -> list[dict[str, Any]]:
        selector = spec.get("selector") or {}
        params = []
        for secret in self.clusters:
            meta = secret.get("metadata") or {}
            labels, data = meta.get("labels") or {}, secret.get("stringData") or {}
            if selector_matches(selector, labels):
                name = str(data.get("name", ""))
                params.append(
                    {
                        "name": name,
                        "nameNormalized": _NOT_DNS.sub("-", name.lower()),
                        "server": str(data.get("server", "")),
                        "project": str(data.get("project", "")),
                        "metadata": {"labels": dict(labels), "annotations": dict(meta.get("annotations") or {})},
                    }
                )
        return params

    def _git(self, spec: dict[str, Any], outer: dict[str, Any]) -> list[dict[str, Any]]:
        return self._git_each(spec, [outer] if outer else [{}])[0]

    def _git_each(self, spec: dict[str, Any], outers: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        """The git generator rendered with each of `outers` (one template pass for all), then run per rendering."""
        if spec.get("files"):
            raise UnsupportedApplicationSet("git files generators are not evaluated offline")
        fields = {"repoURL": spec.get("repoURL", ""), "revision": spec.get("revision", ""), "directories": []}
        fields["directories"] = [dict(entry) for entry in spec.get("directories") or []]
        return [self._directories(rendered) for rendered in render_templates(fields, outers)]

    def _directories(self, rendered: dict[str, Any]) -> list[dict[str, Any]]:
        repo_url = str(rendered.get("repoURL", ""))
        if repo_url not in self.repo_urls:
            raise UnsupportedApplicationSet(f"git generator on {repo_url}, not the config repo")
        if self._all_directories is None:
            root = self.repo_root
            self._all_directories = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir())
        entries = rendered["directories"]
        included = [e["path"] for e in entries if not e.get("exclude")]
        excluded = [e["path"] for e in entries if e.get("exclude")]
        params = []
        for directory in self._all_directories:
            if any(_path_match(directory, pattern) for pattern in included) and not any(
                _path_match(directory, pattern) for pattern in excluded
            ):
                segments = directory.split("/")
                basename = segments[-1]
                params.append(
                    {
                        "path": {
                            "path": directory,
                            "basename": basename,
                            "basenameNormalized": _NOT_DNS.sub("-", basename.lower()),
                            "segments": segments,
                        }
                    }
                )
        return params

    def _matrix(self, spec: dict[str, Any]) -> list[dict[str, Any]]:
        generators = spec.get("generators") or []
        if len(generators) != 2:
            raise UnsupportedApplicationSet("a matrix generator takes exactly two generators")
        firsts = self.generate(generators[0], {})
        if "git" in generators[1] and firsts:
            seconds = self._git_each(generators[1]["git"], firsts)
        else:
            seconds = [self.generate(generators[1], first) for first in firsts]
        return [deep_merge(first, second) for first, found in zip(firsts, seconds, strict=True) for second in found]


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Kubernetes label selector semantics: every matchLabels pair and every matchExpression holds."""
    if any(labels.get(key) != value for key, value in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            raise UnsupportedApplicationSet(f"selector operator {operator} is not a Kubernetes operator")
    return True


def _path_match(path: str, pattern: str) -> bool:
    """Argo CD's directory match: `*` does not cross `/`."""
    return len(path.split("/")) == len(pattern.split("/")) and all(
        fnmatch.fnmatchcase(part, glob) for part, glob in zip(path.split("/"), pattern.split("/"), strict=True)
    )
