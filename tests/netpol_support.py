"""A small NetworkPolicy evaluator with Kubernetes' semantics (networking.k8s.io/v1), for tests.

A pod is isolated for ingress (egress) when any policy in its namespace selects it and lists
`Ingress` (`Egress`) in its policyTypes (unset: `Ingress`, plus `Egress` when the policy has
egress rules). A connection is allowed when the source's egress and the destination's
ingress both allow it: a non-isolated side allows everything, an isolated side needs one
rule of one selecting policy whose peers (absent or empty: all; podSelector alone: pods of
the policy's namespace; namespaceSelector: pods of matching namespaces, narrowed by a
podSelector in the same entry; ipBlock: addresses in the CIDR outside its excepts) and
ports (absent or empty: all; protocol default TCP; a number, up to endPort; a name,
resolved against the destination pod's container ports) match. Reply traffic and the
node's own traffic to its pods are out of scope.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Pod:
    """A pod: namespace, labels, container ports (name, number, protocol) and an address."""

    namespace: str
    labels: Mapping[str, str] = field(compare=False)  # pods compare (and hash) by namespace, address and name
    ports: tuple[tuple[str | None, int, str], ...] = field(default=(), compare=False)
    ip: str = "10.1.0.10"
    name: str = "pod"


@dataclass(frozen=True)
class Address:
    """An endpoint outside the pod network (API server, node, AWS endpoint), known only by its address."""

    ip: str
    name: str = "address"


Endpoint = Pod | Address


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """A LabelSelector against labels (an empty selector matches everything)."""
    selector = selector or {}
    if any(labels.get(key) != value for key, value in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            raise ValueError(f"unknown selector operator {operator}")
    return True


def policy_types(spec: Mapping[str, Any]) -> list[str]:
    """The policy's types, defaulted as the API server does."""
    if spec.get("policyTypes"):
        return list(spec["policyTypes"])
    return ["Ingress", *(["Egress"] if "egress" in spec else [])]


@dataclass
class Cluster:
    """NetworkPolicies and namespace labels; answers whether a connection is allowed."""

    policies: list[dict[str, Any]]
    namespace_labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def labels_of(self, namespace: str) -> dict[str, str]:
        """A namespace's labels, with the `kubernetes.io/metadata.name` label every namespace carries."""
        return {**self.namespace_labels.get(namespace, {}), "kubernetes.io/metadata.name": namespace}

    def selecting(self, pod: Pod, direction: str) -> list[dict[str, Any]]:
        """Policies selecting `pod` that isolate it in `direction` (`Ingress` or `Egress`)."""
        return [
            policy
            for policy in self.policies
            if policy["metadata"].get("namespace", "default") == pod.namespace
            and selector_matches(policy["spec"].get("podSelector"), pod.labels)
            and direction in policy_types(policy["spec"])
        ]

    def allowed(self, source: Endpoint, destination: Endpoint, port: int, protocol: str = "TCP") -> bool:
        """Whether `source` may open a connection to `destination` on `port`/`protocol`."""
        egress = not isinstance(source, Pod) or self._side(source, "Egress", destination, destination, port, protocol)
        ingress = not isinstance(destination, Pod) or self._side(
            destination, "Ingress", source, destination, port, protocol
        )
        return egress and ingress

    def _side(self, pod: Pod, direction: str, peer: Endpoint, target: Endpoint, port: int, protocol: str) -> bool:
        policies = self.selecting(pod, direction)
        if not policies:
            return True
        rules_key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
        return any(
            self._peers_match(rule.get(peers_key), policy["metadata"].get("namespace", "default"), peer)
            and _ports_match(rule.get("ports"), target, port, protocol)
            for policy in policies
            for rule in policy["spec"].get(rules_key) or []
        )

    def _peers_match(self, peers: Iterable[Mapping[str, Any]] | None, namespace: str, peer: Endpoint) -> bool:
        peers = list(peers or [])
        return not peers or any(self._peer_matches(entry, namespace, peer) for entry in peers)

    def _peer_matches(self, entry: Mapping[str, Any], namespace: str, peer: Endpoint) -> bool:
        if "ipBlock" in entry:
            block = entry["ipBlock"]
            address = ipaddress.ip_address(peer.ip)
            inside = address in ipaddress.ip_network(block["cidr"], strict=False)
            return inside and not any(address in ipaddress.ip_network(e, strict=False) for e in block.get("except", []))
        if not isinstance(peer, Pod):
            return False  # selectors select pods only
        if entry.get("namespaceSelector") is not None:
            namespace_ok = selector_matches(entry["namespaceSelector"], self.labels_of(peer.namespace))
        else:
            namespace_ok = peer.namespace == namespace
        pod_ok = entry.get("podSelector") is None or selector_matches(entry["podSelector"], peer.labels)
        return namespace_ok and pod_ok


def _ports_match(ports: Iterable[Mapping[str, Any]] | None, target: Endpoint, port: int, protocol: str) -> bool:
    ports = list(ports or [])
    if not ports:
        return True
    for entry in ports:
        if entry.get("protocol", "TCP") != protocol:
            continue
        value = entry.get("port")
        if value is None:
            return True
        if isinstance(value, int):
            if value <= port <= entry.get("endPort", value):
                return True
        elif isinstance(target, Pod) and (value, port, protocol) in {(n, p, proto) for n, p, proto in target.ports}:
            return True  # a named port: the destination pod's container port of that name and protocol
    return False
