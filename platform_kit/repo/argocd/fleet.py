"""Argo CD fleets: the hub's ApplicationSets over its spokes and a spoke's seed (pure).

The hub's Argo CD manages every spoke through a cluster Secret on the hub (written by the
spoke's own stack, `platform_kit.gitops.hub`) that carries the spoke's metadata contract
as labels and annotations, plus the fleet labels below. The hub's `fleet/<name>/` holds a
fixed set of ApplicationSets, one per platform layer (and per variant where a layer's
objects differ between spoke profiles), each selecting spokes by those labels; so their
count does not depend on the number of spokes. Each is the standalone layer Application
with every `${PLATFORM_*}` placeholder replaced by the Go template reading the spoke's
annotation, the destination set to the spoke, and the spoke's environment in its paths:
every selected spoke gets the layer with its own values.

- Rollout: RollingSync (progressive syncs, enabled on the hub's ApplicationSet
  controller), one step per environment of `fleet.rollout`, then every other environment.
- Deregistration (`pulumi destroy` of a spoke removes its cluster Secret): the generated
  Applications are deleted without their finalizer (`preserveResourcesOnDeletion`), so the
  workloads on the spoke keep running.
- Chart values: the spoke's own `clusters/<env>/<cluster>/values/<release>.yaml` (seeded
  by the spoke) under `valuesObject` holding only the contract-derived keys.

The hub's projects, alerts and files are in `fleet_hub`, teams on spokes in `fleet_teams`,
a spoke's seed in `fleet_spoke`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import yaml

from platform_kit.config.fleet import HubRole
from platform_kit.config.gitops import ArgoCdConfig
from platform_kit.config.metadata import KEY_PREFIX, VARIABLES, annotation_template, metadata_key
from platform_kit.config.models import PlatformConfig
from platform_kit.repo.argocd import layout as argocd_layout
from platform_kit.repo.argocd.objects import (
    API_VERSION,
    SYNC_WAVE,
    cluster_secret,
    object_meta,
)
from platform_kit.repo.argocd.patches import substituted, templated

FLEET_LABEL = f"{KEY_PREFIX}fleet"
"""Hub cluster Secret label: the fleet (hub `fleet.name`) the spoke belongs to."""
ROLE_LABEL = f"{KEY_PREFIX}fleet-role"
"""Hub cluster Secret label: `spoke` (the hub's own in-cluster Secret has none)."""
SECRETS_MODE_LABEL = f"{KEY_PREFIX}secrets-mode"
"""Hub cluster Secret label: how the spoke's secret stores reach AWS (`static`, `irsa`, `pod-identity`, `none`)."""
OBSERVABILITY_LABEL = f"{KEY_PREFIX}observability"
"""Hub cluster Secret label: `enabled` when the spoke runs kube-prometheus-stack."""
POLICY_LABEL = f"{KEY_PREFIX}policy"
"""Hub cluster Secret label: `enabled` when the spoke runs Kyverno."""
FLEET_PROJECT = "fleet"
"""AppProject of the platform layers the hub generates for its spokes (platform namespaces only)."""
FLEET_APPS_PROJECT = "fleet-apps"
"""AppProject of the spokes' `apps/<env>` Applications: any namespace of any spoke, never the hub."""
APPS_LAYER = "apps"
"""The layer of `apps/<env>` (workloads), which goes to `fleet-apps`."""
SPOKE_SECRET_PREFIX = "spoke-"
"""Name prefix of the spokes' cluster Secrets on the hub (`spoke-<cluster>`)."""
LAYER_LABEL = f"{KEY_PREFIX}layer"
"""Label of every Application the hub generates: the layer it applies."""

_PROFILE_ENV = "zz-fleet-env"
"""Environment of the profile configs; replaced by the spoke's environment in every generated path."""
_ENV_TEMPLATE = annotation_template("environment")
DIMENSIONS: dict[str, tuple[str, ...]] = {
    SECRETS_MODE_LABEL: ("none", "static", "irsa", "pod-identity"),
    OBSERVABILITY_LABEL: ("enabled", "disabled"),
    POLICY_LABEL: ("enabled", "disabled"),
}
"""Labels whose values change which layers a spoke gets, or their content, with every value they take."""
_SKIPPED_LAYERS = ("argocd", "projects")
"""Standalone layers a hub-managed spoke has no use for: no Argo CD of its own, no team projects."""


def spoke_labels(config: PlatformConfig, fleet: str) -> dict[str, str]:
    """Fleet labels of a spoke's cluster Secret on the hub (the contract labels come on top)."""
    services = config.services
    return {
        FLEET_LABEL: fleet,
        ROLE_LABEL: "spoke",
        SECRETS_MODE_LABEL: config.secrets_mode or "none",
        OBSERVABILITY_LABEL: "enabled" if services.observability.enabled else "disabled",
        POLICY_LABEL: "enabled" if services.policy.enabled else "disabled",
    }


def spoke_secret_name(cluster_name: str) -> str:
    """Name of a spoke's cluster Secret on the hub; one per cluster name, so duplicates collide."""
    return f"{SPOKE_SECRET_PREFIX}{cluster_name}"


def spoke_cluster_secret(
    namespace: str,
    name: str,
    server: str,
    cluster_config: str,
    labels: dict[str, str],
    annotations: dict[str, str],
) -> dict[str, Any]:
    """The hub-side cluster Secret of one spoke: contract and fleet labels, its server and credentials config."""
    return cluster_secret(spoke_secret_name(name), namespace, name, server, cluster_config, labels, annotations)


def aws_cluster_config(cluster_name: str, ca_data: str) -> dict[str, Any]:
    """Cluster Secret `config` of an EKS spoke: Argo CD's own identity (Pod Identity) through `awsAuthConfig`."""
    return {"awsAuthConfig": {"clusterName": cluster_name}, "tlsClientConfig": {"insecure": False, "caData": ca_data}}


def token_cluster_config(token: str, ca_data: str) -> dict[str, Any]:
    """Cluster Secret `config` of an existing spoke: a service account bearer token (a Pulumi secret)."""
    return {"bearerToken": token, "tlsClientConfig": {"insecure": False, "caData": ca_data}}


# -- the hub --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManagedSpokeLayout(argocd_layout.ArgoCdLayout):
    """The stages of a hub-managed spoke: those of a standalone Argo CD environment without Argo CD's own
    monitors (the spoke runs no Argo CD), so its monitoring stage exists only when its services fill it."""

    def monitoring_objects(self) -> list[dict[str, Any]]:
        """None: the spoke runs no Argo CD to monitor (the hub alerts on it)."""
        return []


def profile_config(hub: PlatformConfig, secrets: str, observability: str, policy: str) -> PlatformConfig:
    """A spoke-shaped config with the given services, for the layers the hub generates."""
    services: dict[str, Any] = {
        "observability": {"enabled": observability == "enabled"},
        "policy": {"enabled": policy == "enabled"},
    }
    cluster: dict[str, Any] = {"kind": "existing", "name": "profile", "kubeconfig": {"path": "unused"}}
    if secrets in ("irsa", "pod-identity"):
        cluster = {
            "kind": "eks",
            "name": "profile",
            "region": "eu-west-1",
            "adminPrincipalArns": ["arn:aws:iam::111122223333:role/profile"],
            "nodeGroups": [{"name": "general", "instanceTypes": ["m7i.large"]}],
            "workloadIdentity": secrets,
        }
        services["secrets"] = {}
    elif secrets == "static":
        services["secrets"] = {"region": "eu-west-1", "auth": "static"}
    return PlatformConfig.model_validate(
        {
            "environment": _PROFILE_ENV,
            "cluster": cluster,
            "gitops": {"agent": "argocd", "namespace": hub.gitops.namespace},
            "repo": hub.repo.model_dump(by_alias=True, exclude_none=True),
            "services": services,
        }
    )


SPOKE_RETRY_LIMIT = -1
"""Sync retries of a spoke's layer Applications: unlimited (Argo CD: a negative limit), with the layer's backoff
capped at its `maxDuration`. A spoke's layers come from separate ApplicationSets, so nothing orders them; a
configs layer that needs the controllers' CRDs keeps retrying until they exist, however long that takes
(RollingSync's sync operations take the Application's retry, as automated syncs do)."""


def _resolve(variable: str) -> str:
    fields = {name: field for field, name in VARIABLES.items()}
    if variable not in fields:
        raise KeyError(f"${{{variable}}} is not a contract field the hub can template")
    return annotation_template(fields[variable])


def _as_template(application: dict[str, Any]) -> dict[str, Any]:
    """A standalone layer Application turned into an ApplicationSet template for any selected spoke."""
    name = application["metadata"]["name"]
    spec = substituted(application["spec"], _resolve)
    text = yaml.safe_dump(spec, sort_keys=False, width=1_000_000).replace(_PROFILE_ENV, _ENV_TEMPLATE)
    spec = yaml.safe_load(text)
    spec["project"] = FLEET_APPS_PROJECT if name == APPS_LAYER else FLEET_PROJECT
    spec["destination"]["server"] = "{{ .server }}"
    retry = (spec.get("syncPolicy") or {}).get("retry")
    if retry is not None:  # layers of one spoke are not ordered by waves: each retries until its CRDs exist
        retry["limit"] = SPOKE_RETRY_LIMIT
    if name == APPS_LAYER:  # a spoke has no Argo CD namespace: workloads without one land in `default`
        spec["destination"]["namespace"] = "default"
    source = spec.pop("source")
    if "chart" in source:  # the spoke's values file, then the contract-derived keys on top
        helm = source["helm"]
        release = helm["releaseName"]
        contract_values = templated(application["spec"]["source"]["helm"]["valuesObject"], _resolve) or {}
        helm["valueFiles"] = ["$values/" + annotation_template("repo_path") + f"/values/{release}.yaml"]
        helm["ignoreMissingValueFiles"] = True
        helm["valuesObject"] = contract_values
        values_source = {
            "repoURL": annotation_template("repo_url"),
            "targetRevision": annotation_template("repo_branch"),
            "ref": "values",
        }
        spec["sources"] = [source, values_source]
    else:
        spec["source"] = source
    return {
        "metadata": {
            "name": "{{ .nameNormalized }}-" + name,
            "labels": {
                metadata_key("environment"): '{{ index .metadata.labels "' + metadata_key("environment") + '" }}',
                metadata_key("cluster_name"): '{{ index .metadata.labels "' + metadata_key("cluster_name") + '" }}',
                LAYER_LABEL: name,
            },
        },
        "spec": spec,
    }


@dataclass(frozen=True)
class FleetLayer:
    """One ApplicationSet of the hub: a layer for the spokes whose labels match `selector`."""

    name: str
    """ApplicationSet name (`fleet-<layer>`, `-<variant>` where a layer's content differs by profile)."""
    selector: dict[str, tuple[str, ...]]
    """Label -> the values a selected spoke has (only the labels that restrict)."""
    template: dict[str, Any]
    """The Application template."""
    wave: int
    """The layer's sync wave in a standalone environment (documents the intended order)."""


def fleet_layers(config: PlatformConfig) -> list[FleetLayer]:
    """Every ApplicationSet of the hub: fixed by the profiles, not by the spokes."""
    found: dict[str, dict[tuple[str, ...], tuple[str, dict[str, Any], int]]] = {}
    profiles = list(itertools.product(*DIMENSIONS.values()))
    for profile in profiles:
        spoke = profile_config(config, *profile)
        for application in argocd_layout.layer_applications(spoke, ManagedSpokeLayout(spoke)):
            name = application["metadata"]["name"]
            if name in _SKIPPED_LAYERS:
                continue
            template = _as_template(application)
            key = yaml.safe_dump(template, sort_keys=True)
            wave = int(application["metadata"]["annotations"][SYNC_WAVE])
            found.setdefault(name, {})[profile] = (key, template, wave)
    layers = []
    for name, by_profile in found.items():
        variants: dict[str, list[tuple[str, ...]]] = {}
        for profile, (key, _, _) in by_profile.items():
            variants.setdefault(key, []).append(profile)
        for members in sorted(variants.values()):
            selector = _selector(members)
            _, template, wave = by_profile[members[0]]
            suffix = "" if len(variants) == 1 else "-" + "-".join(v for values in selector.values() for v in values)
            layers.append(FleetLayer(f"fleet-{name}{suffix}"[:63], selector, template, wave))
    return sorted(layers, key=lambda layer: (layer.wave, layer.name))


def _selector(members: list[tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The label values `members` (profiles) span, as a product; refuses a set that is not one."""
    labels = list(DIMENSIONS)
    values = {
        label: tuple(v for v in DIMENSIONS[label] if v in {m[i] for m in members}) for i, label in enumerate(labels)
    }
    if len(members) != len(list(itertools.product(*values.values()))):
        raise ValueError(f"profiles of one layer variant are not a product of label values: {members}")
    return {label: found for label, found in values.items() if len(found) != len(DIMENSIONS[label])}


def rolling_sync(rollout: tuple[str, ...]) -> dict[str, Any]:
    """RollingSync steps: one per environment of `rollout`, in order, then every other environment."""
    key = metadata_key("environment")
    steps = [{"matchExpressions": [{"key": key, "operator": "In", "values": [env]}]} for env in rollout]
    steps.append({"matchExpressions": [{"key": key, "operator": "NotIn", "values": list(rollout)}]})
    return {"type": "RollingSync", "rollingSync": {"steps": steps}}


def spoke_selector(config: PlatformConfig, restrict: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """Cluster generator selector: this hub's spokes whose labels take the values in `restrict`."""
    selector: dict[str, Any] = {"matchLabels": {FLEET_LABEL: argocd_layout.hub_role(config).name, ROLE_LABEL: "spoke"}}
    expressions = [{"key": label, "operator": "In", "values": list(values)} for label, values in restrict.items()]
    if expressions:
        selector["matchExpressions"] = expressions
    return selector


def fleet_application_set(
    config: PlatformConfig,
    argocd: ArgoCdConfig,
    layer: FleetLayer,
    generator: dict[str, Any] | None = None,
    *,
    preserve: bool = True,
) -> dict[str, Any]:
    """The ApplicationSet generating `layer` for every spoke of this hub whose labels match.

    `generator` replaces the plain cluster generator (teams: a matrix with it first); `preserve`
    False deletes what the Applications applied when they go (objects on the hub itself)."""
    clusters = {"clusters": {"selector": spoke_selector(config, layer.selector)}}
    return {
        "apiVersion": API_VERSION,
        "kind": "ApplicationSet",
        "metadata": object_meta(layer.name, argocd.namespace),
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [generator or clusters],
            "strategy": rolling_sync(argocd_layout.hub_role(config).rollout),
            # A spoke deregistered (its cluster Secret gone): delete its Applications, keep its workloads.
            "syncPolicy": {"preserveResourcesOnDeletion": preserve, "applicationsSync": "sync"},
            "template": layer.template,
        },
    }


def fleet_application_sets(config: PlatformConfig) -> list[dict[str, Any]]:
    """Every ApplicationSet of `fleet/<name>/`."""
    argocd = argocd_layout.ArgoCdLayout(config).argocd
    return [fleet_application_set(config, argocd, layer) for layer in fleet_layers(config)]


def is_hub(config: PlatformConfig) -> bool:
    """Whether `config` is a fleet hub."""
    return isinstance(config.fleet, HubRole)


def is_managed_spoke(config: PlatformConfig) -> bool:
    """Whether `config` is a spoke the hub's Argo CD manages (no agent of its own)."""
    return config.fleet.role == "spoke" and config.gitops.agent == "argocd"
