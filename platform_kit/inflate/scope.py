"""Which kinds are cluster-scoped: what agents need to default namespaces and check AppProjects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

BUILTIN_CLUSTER_SCOPED = frozenset(
    {
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("apiregistration.k8s.io", "APIService"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("storage.k8s.io", "VolumeAttachment"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("node.k8s.io", "RuntimeClass"),
        ("networking.k8s.io", "IngressClass"),
        ("certificates.k8s.io", "CertificateSigningRequest"),
        ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    }
)
"""Built-in Kubernetes kinds that live outside namespaces."""

KNOWN_CRD_CLUSTER_SCOPED = frozenset(
    {
        ("external-secrets.io", "ClusterSecretStore"),
        ("external-secrets.io", "ClusterExternalSecret"),
        ("generators.external-secrets.io", "ClusterGenerator"),
        ("kyverno.io", "ClusterPolicy"),
        ("kyverno.io", "ClusterCleanupPolicy"),
        ("policies.kyverno.io", "ValidatingPolicy"),
        ("wgpolicyk8s.io", "ClusterPolicyReport"),
        ("cert-manager.io", "ClusterIssuer"),
        ("karpenter.sh", "NodePool"),
        ("karpenter.k8s.aws", "EC2NodeClass"),
        ("eks.amazonaws.com", "IngressClassParams"),
    }
)
"""Custom kinds the platform uses whose CRD may not be among the inflated objects (e.g. not vendored)."""


def group_of(obj: dict[str, Any]) -> str:
    """API group of an object ('' for the core group)."""
    api_version = str(obj.get("apiVersion", ""))
    return api_version.rpartition("/")[0]


class Scopes:
    """Cluster-scoped kinds: built-ins, known platform CRDs, and every CRD seen in `objects`."""

    def __init__(self, objects: Iterable[dict[str, Any]] = ()):
        self.cluster = set(BUILTIN_CLUSTER_SCOPED | KNOWN_CRD_CLUSTER_SCOPED)
        self.learn(objects)

    def learn(self, objects: Iterable[dict[str, Any]]) -> None:
        """Record the scope of every CustomResourceDefinition among `objects`."""
        for obj in objects:
            if obj.get("kind") != "CustomResourceDefinition":
                continue
            spec = obj.get("spec") or {}
            kind = (spec.get("names") or {}).get("kind")
            if spec.get("scope") == "Cluster" and kind:
                self.cluster.add((spec.get("group", ""), kind))

    def is_namespaced(self, obj: dict[str, Any]) -> bool:
        """Whether `obj` belongs in a namespace."""
        return (group_of(obj), obj.get("kind")) not in self.cluster
