"""Checks on inflated objects that only the whole picture allows: Argo CD project permits, Pod Security.

- `project_violations`: every object an Argo CD Application applies must be permitted by its
  AppProject (destinations: the object's namespace on the Application's server, by Argo CD 3.0's
  `isDestinationMatched`, `destination_permitted` below; `clusterResourceWhitelist`/`Blacklist`,
  `namespaceResourceBlacklist`/`Whitelist`), or Argo CD refuses the whole sync.
- `pod_security_problems`: the Pod Security Standards `restricted` profile (Kubernetes 1.33) on
  every pod template, as the admission controller would enforce it on a namespace labelled
  `pod-security.kubernetes.io/enforce: restricted`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from typing import Any

from platform_kit.inflate.argo_sources import IN_CLUSTER_SERVER
from platform_kit.inflate.follow_argocd import ARGO_GROUP
from platform_kit.inflate.model import Inflation, Source
from platform_kit.inflate.scope import Scopes, group_of

POD_TEMPLATE_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
"""Where each workload kind keeps its pod spec."""

RESTRICTED_VOLUME_TYPES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
)
"""Volume sources the `restricted` profile allows."""


# ----------------------------------------------------------------- Argo CD projects


def project_violations(inflation: Inflation) -> list[str]:
    """Objects that Argo CD would refuse to sync because their AppProject does not permit them."""
    projects = {
        str((obj.get("metadata") or {}).get("name")): obj
        for _, obj in inflation.objects()
        if group_of(obj) == ARGO_GROUP and obj.get("kind") == "AppProject"
    }
    problems = []
    for source in inflation.sources:
        if source.applier != "argocd" or source.kind == "ApplicationSet":
            continue  # the ApplicationSet controller creates its Applications itself, outside any project
        project = projects.get(source.project or "")
        if project is None:
            problems.append(f"{source.label}: AppProject {source.project} not found")
            continue
        for obj in source.objects:
            problem = _refusal(project.get("spec") or {}, obj, source, inflation.scopes)
            if problem:
                problems.append(f"{source.label}: {_label(obj)}: {problem} (project {source.project})")
    return problems


def _refusal(project: dict[str, Any], obj: dict[str, Any], source: Source, scopes: Scopes) -> str | None:
    group, kind = group_of(obj), str(obj.get("kind"))
    if not scopes.is_namespaced(obj):
        if not _kind_listed(project.get("clusterResourceWhitelist") or [], group, kind):
            return f"cluster-scoped {group or 'core'}/{kind} is not in clusterResourceWhitelist"
        if _kind_listed(project.get("clusterResourceBlacklist") or [], group, kind):
            return f"cluster-scoped {group or 'core'}/{kind} is in clusterResourceBlacklist"
        return None
    namespace = str((obj.get("metadata") or {}).get("namespace") or source.namespace)
    server = source.server or IN_CLUSTER_SERVER
    if not destination_permitted(project.get("destinations") or [], server, "", namespace):
        return f"namespace {namespace} is not permitted" + (f" on {server}" if source.server else "")
    whitelist = project.get("namespaceResourceWhitelist")
    if whitelist is not None and not _kind_listed(whitelist, group, kind):
        return f"{group or 'core'}/{kind} is not in namespaceResourceWhitelist"
    if _kind_listed(project.get("namespaceResourceBlacklist") or [], group, kind):
        return f"{group or 'core'}/{kind} is in namespaceResourceBlacklist"
    return None


def _kind_listed(entries: list[dict[str, Any]], group: str, kind: str) -> bool:
    return any(
        fnmatch.fnmatchcase(group, str(entry.get("group", ""))) and fnmatch.fnmatchcase(kind, str(entry.get("kind")))
        for entry in entries
    )


def _glob(pattern: str, value: str) -> bool:
    """Argo CD's globMatch with negation: `!p` matches what `p` does not."""
    if pattern.startswith("!"):
        return not fnmatch.fnmatchcase(value, pattern[1:])
    return pattern == "*" or fnmatch.fnmatchcase(value, pattern)


def destination_permitted(destinations: list[Mapping[str, str]], server: str, name: str, namespace: str) -> bool:
    """Argo CD 3.0's `AppProject.isDestinationMatched` (pkg/apis/application/v1alpha1/app_project_types.go,
    v3.0.0 to v3.0.23), restated: an entry matches when its server or name and its namespace match (a `!`
    pattern matching what it does not name); a non-matching entry denies outright when a negated server/name
    missed and the namespace matched, or a negated namespace missed and the server matched."""
    permitted = False
    for item in destinations:
        item_server, item_name, item_namespace = item.get("server", ""), item.get("name", ""), item.get("namespace", "")
        name_hit = bool(name) and _glob(item_name, name)
        server_hit = bool(server) and _glob(item_server, server)
        namespace_hit = _glob(item_namespace, namespace)
        if (server_hit or name_hit) and namespace_hit:
            permitted = True
        elif (not name_hit and item_name.startswith("!")) or (
            not server_hit and item_server.startswith("!") and namespace_hit
        ):
            return False
        elif not namespace_hit and item_namespace.startswith("!") and server_hit:
            return False
    return permitted


# ----------------------------------------------------------------- Pod Security


def pod_specs(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The pod spec of a workload object (none for other kinds)."""
    path = POD_TEMPLATE_PATHS.get(str(obj.get("kind")))
    if path is None or group_of(obj) not in ("", "apps", "batch"):
        return
    node: Any = obj
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        yield node


def pod_security_problems(obj: dict[str, Any]) -> list[str]:
    """Why `obj`'s pods would be rejected under Pod Security `restricted` (empty: admitted)."""
    problems: list[str] = []
    for pod in pod_specs(obj):
        problems += _pod_level(pod)
        pod_context = pod.get("securityContext") or {}
        containers = [
            *(pod.get("initContainers") or []),
            *(pod.get("containers") or []),
            *(pod.get("ephemeralContainers") or []),
        ]
        for container in containers:
            problems += [f"container {container.get('name')}: {p}" for p in _container_level(container, pod_context)]
    return problems


def _pod_level(pod: dict[str, Any]) -> list[str]:
    problems = [f"{field} is true" for field in ("hostNetwork", "hostPID", "hostIPC") if pod.get(field)]
    for volume in pod.get("volumes") or []:
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUME_TYPES:
            problems.append(f"volume {volume.get('name')} uses {', '.join(sorted(kinds - RESTRICTED_VOLUME_TYPES))}")
    context = pod.get("securityContext") or {}
    if context.get("runAsUser") == 0:
        problems.append("pod runAsUser is 0")
    if (context.get("seccompProfile") or {}).get("type") == "Unconfined":
        problems.append("pod seccompProfile is Unconfined")
    return problems


def _container_level(container: dict[str, Any], pod_context: dict[str, Any]) -> list[str]:
    context = container.get("securityContext") or {}
    problems = []
    if context.get("privileged"):
        problems.append("privileged")
    if context.get("allowPrivilegeEscalation") is not False:
        problems.append("allowPrivilegeEscalation is not false")
    run_as_non_root = context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))
    if run_as_non_root is not True:
        problems.append("runAsNonRoot is not true")
    if context.get("runAsUser", pod_context.get("runAsUser")) == 0:
        problems.append("runAsUser is 0")
    seccomp = (context.get("seccompProfile") or pod_context.get("seccompProfile") or {}).get("type")
    if seccomp not in ("RuntimeDefault", "Localhost"):
        problems.append("seccompProfile is not RuntimeDefault or Localhost")
    capabilities = context.get("capabilities") or {}
    if "ALL" not in (capabilities.get("drop") or []):
        problems.append("capabilities do not drop ALL")
    added = set(capabilities.get("add") or []) - {"NET_BIND_SERVICE"}
    if added:
        problems.append(f"capabilities add {', '.join(sorted(added))}")
    if any(port.get("hostPort") for port in container.get("ports") or []):
        problems.append("uses a hostPort")
    return problems


def _label(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return "/".join(str(part) for part in (obj.get("kind"), meta.get("namespace"), meta.get("name")) if part)
