"""EKS Auto Mode in the config repo (pure): the objects Auto Mode expects its users to create.

Auto Mode's block storage and load balancing capabilities come without a StorageClass or an
IngressClass, and its network policy agent enforces NetworkPolicies only once the
`amazon-vpc-cni` ConfigMap in `kube-system` turns the controller on (AWS EKS user guide, "Use
Network Policies with EKS Auto Mode"). The teams' namespaces rely on default-deny
NetworkPolicies, so that ConfigMap is part of the platform, not an option.
"""

from __future__ import annotations

from typing import Any

from platform_kit.config.capacity import AUTO_MODE_ALB_CONTROLLER, AUTO_MODE_STORAGE_PROVISIONER, AutoModeCapacity

STORAGE_CLASS = "auto-ebs-sc"
"""Name of the default StorageClass (the name AWS's Auto Mode guide uses)."""
INGRESS_CLASS = "alb"
"""Name of the default IngressClass and of its IngressClassParams."""
NETWORK_POLICY_CONFIG = "amazon-vpc-cni"
"""ConfigMap in `kube-system` that turns on Auto Mode's network policy controller."""

CLUSTER_KINDS = (
    ("storage.k8s.io", "StorageClass"),
    ("networking.k8s.io", "IngressClass"),
    ("eks.amazonaws.com", "IngressClassParams"),
)
"""Cluster-scoped kinds the Auto Mode objects add (the Argo CD project permits them only with Auto Mode)."""


def storage_class() -> dict[str, Any]:
    """The default StorageClass: encrypted gp3 volumes from Auto Mode's EBS provisioner, bound where the pod runs."""
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": STORAGE_CLASS,
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": AUTO_MODE_STORAGE_PROVISIONER,
        "parameters": {"type": "gp3", "encrypted": "true"},
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True,
    }


def ingress_class_params(capacity: AutoModeCapacity) -> dict[str, Any]:
    """Auto Mode's ALB settings for the `alb` class: only the scheme (internal unless configured)."""
    return {
        "apiVersion": "eks.amazonaws.com/v1",
        "kind": "IngressClassParams",
        "metadata": {"name": INGRESS_CLASS},
        "spec": {"scheme": capacity.ingress_scheme},
    }


def ingress_class() -> dict[str, Any]:
    """The default IngressClass, served by Auto Mode's load balancing capability."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": {
            "name": INGRESS_CLASS,
            "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"},
        },
        "spec": {
            "controller": AUTO_MODE_ALB_CONTROLLER,
            "parameters": {"apiGroup": "eks.amazonaws.com", "kind": "IngressClassParams", "name": INGRESS_CLASS},
        },
    }


def network_policy_config() -> dict[str, Any]:
    """The ConfigMap that makes Auto Mode's nodes enforce NetworkPolicies (off until it exists)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": NETWORK_POLICY_CONFIG, "namespace": "kube-system"},
        "data": {"enable-network-policy-controller": "true"},
    }


def auto_mode_objects(capacity: AutoModeCapacity) -> list[dict[str, Any]]:
    """Network policy enforcement, the default StorageClass, the `alb` IngressClass and its parameters."""
    return [network_policy_config(), storage_class(), ingress_class_params(capacity), ingress_class()]
