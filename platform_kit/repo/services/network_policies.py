"""Default-deny NetworkPolicies for the platform's own namespaces, with each controller's allow rules (pure).

Per namespace: `default-deny` (every pod isolated for ingress and egress), `allow-dns`
(egress to kube-system on port 53, UDP and TCP), `allow-api-egress` (egress on the API
server's ports to any address) and one `allow-<workload>` per controller pod: ingress to
its webhook ports from anywhere (the API server calls webhooks and aggregated APIs from
outside the pod network), to its metrics ports from the monitoring namespace, and egress
it needs beyond the API. The API server and the AWS endpoints have no pod selector and no
stable addresses (EKS's control-plane ENIs are replaced on upgrades, AWS's public ranges
change), so that egress is allowed by port, not by address. Controllers calling AWS with
EKS Pod Identity also reach the node's Pod Identity Agent (link-local, port 80). In the
monitoring namespace the components talk to each other: those flows are allowed between
their pods only, and Prometheus, which scrapes every namespace and the nodes, has open egress.

The ports are read from the charts at the pinned versions with the library's values
(`tests/test_network_policies.py` inflates them and checks every flow they need).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from platform_kit.config.addons import ADDON_ACCOUNTS, AddonsConfig
from platform_kit.config.capacity import KARPENTER_NAMESPACE
from platform_kit.repo.services.monitoring_base import MONITORING_NAMESPACE, RELEASE
from platform_kit.repo.services.policy import KYVERNO_NAMESPACE
from platform_kit.repo.services.secrets import ESO_NAMESPACE

DNS_NAMESPACE = "kube-system"
"""Namespace of the cluster DNS (CoreDNS, `kube-dns`)."""
HTTPS = 443
"""AWS APIs, ACME directories, and the API server on EKS (its endpoints listen on 443)."""
KUBEADM_API_PORT = 6443
"""The API server's port on kubeadm, kind, k3s and most other existing clusters."""
KUBELET_PORT = 10250
"""The kubelets' port (metrics-server scrapes it)."""
POD_IDENTITY_AGENT = ("169.254.170.23/32", "fd00:ec2::23/128")
"""The EKS Pod Identity Agent's link-local addresses (IPv4, IPv6) on every node; it serves credentials on port 80."""
POD_IDENTITY_PORT = 80
"""The Pod Identity Agent's credentials port (`AWS_CONTAINER_CREDENTIALS_FULL_URI`)."""
POLICY_LABELS = {"app.kubernetes.io/managed-by": "platform-kit", "app.kubernetes.io/part-of": "platform"}
"""Labels on every policy below."""


@dataclass(frozen=True)
class Peer:
    """Pods of the workload's own namespace and the ports of a flow between them and the workload."""

    pods: tuple[tuple[str, str], ...]
    """Labels selecting the other side's pods."""
    ports: tuple[tuple[str, int | str], ...]
    """(protocol, port number or container port name) on the destination."""


@dataclass(frozen=True)
class Workload:
    """One controller's pods and the traffic they need beyond DNS and the API."""

    name: str
    """Policy name suffix (`allow-<name>`)."""
    pods: tuple[tuple[str, str], ...]
    """Labels selecting its pods (the chart's Service selector)."""
    webhook_ports: tuple[int, ...] = ()
    """Container ports the API server calls (admission webhooks, aggregated APIs): open to any source."""
    metrics_ports: tuple[int, ...] = ()
    """Container ports Prometheus scrapes: open to the monitoring namespace."""
    egress_ports: tuple[tuple[str, int], ...] = ()
    """(protocol, port) it calls outside the cluster besides the API ports, to any address."""
    aws_credentials: bool = False
    """Calls AWS with its pod's credentials: with EKS Pod Identity it reaches the node's agent on port 80."""
    clients: tuple[Peer, ...] = ()
    """Pods of its namespace that call it (ingress from them on those of its ports)."""
    calls: tuple[Peer, ...] = ()
    """Pods of its namespace it calls (egress to them on those of their ports)."""
    open_egress: bool = False
    """Egress to any address on any port (Prometheus: it scrapes every namespace and the nodes)."""


def _chart_pods(name: str, instance: str, component: str | None = None) -> tuple[tuple[str, str], ...]:
    labels = [("app.kubernetes.io/instance", instance), ("app.kubernetes.io/name", name)]
    return tuple(labels + ([("app.kubernetes.io/component", component)] if component else []))


def _kyverno_pods(component: str) -> tuple[tuple[str, str], ...]:
    return (("app.kubernetes.io/component", component), ("app.kubernetes.io/instance", "kyverno"))


KARPENTER = (Workload("karpenter", _chart_pods("karpenter", "karpenter"), metrics_ports=(8080,), aws_credentials=True),)
"""karpenter 1.8.0: metrics 8080 (`http-metrics`); no webhooks since v1; AWS APIs (EC2, SQS, pricing, SSM) on 443."""
LOAD_BALANCER_CONTROLLER = (
    Workload(
        "aws-load-balancer-controller",
        _chart_pods("aws-load-balancer-controller", "aws-load-balancer-controller"),
        webhook_ports=(9443,),
        metrics_ports=(8080,),
        aws_credentials=True,
    ),
)
"""aws-load-balancer-controller 1.16.0: webhooks on 9443 (Service port 443 -> `webhook-server`), metrics 8080."""
EXTERNAL_DNS = (
    Workload("external-dns", _chart_pods("external-dns", "external-dns"), metrics_ports=(7979,), aws_credentials=True),
)
"""external-dns 1.20.0: metrics on 7979 (`http`, the Service's port); Route 53 on 443."""
CERT_MANAGER = (
    Workload(
        "cert-manager-controller",
        _chart_pods("cert-manager", "cert-manager", "controller"),
        metrics_ports=(9402,),
        # DNS-01 propagation checks ask the zones' authoritative nameservers; HTTP-01 self-checks fetch port 80.
        egress_ports=(("UDP", 53), ("TCP", 53), ("TCP", 80)),
        aws_credentials=True,
    ),
    Workload("cert-manager-cainjector", _chart_pods("cainjector", "cert-manager", "cainjector"), metrics_ports=(9402,)),
    Workload(
        "cert-manager-webhook",
        _chart_pods("webhook", "cert-manager", "webhook"),
        webhook_ports=(10250,),
        metrics_ports=(9402,),
    ),
)
"""cert-manager v1.19.1: controller (ACME and Route 53 on 443), cainjector, webhook on 10250; metrics 9402 each."""
METRICS_SERVER = (
    Workload(
        "metrics-server",
        _chart_pods("metrics-server", "metrics-server"),
        webhook_ports=(10250,),
        egress_ports=(("TCP", KUBELET_PORT),),
    ),
)
"""metrics-server 3.13.0: the APIService's port 443 -> 10250 (`https`, also its metrics); scrapes kubelets on 10250."""
EXTERNAL_SECRETS = (
    Workload(
        "external-secrets",
        _chart_pods("external-secrets", "external-secrets"),
        metrics_ports=(8080,),
        aws_credentials=True,
    ),
    Workload(
        "external-secrets-webhook",
        _chart_pods("external-secrets-webhook", "external-secrets"),
        webhook_ports=(10250,),
        metrics_ports=(8080,),
    ),
    Workload(
        "external-secrets-cert-controller",
        _chart_pods("external-secrets-cert-controller", "external-secrets"),
        metrics_ports=(8080,),
    ),
)
"""external-secrets 0.19.2: controller (Secrets Manager and STS on 443), webhook on 10250 (Service 443 -> `webhook`),
cert-controller (patches the webhook configurations through the API); metrics 8080 each."""
KYVERNO = (
    Workload("kyverno-admission-controller", _kyverno_pods("admission-controller"), (9443,), (8000,)),
    Workload("kyverno-background-controller", _kyverno_pods("background-controller"), metrics_ports=(8000,)),
    Workload("kyverno-cleanup-controller", _kyverno_pods("cleanup-controller"), (9443,), (8000,)),
    Workload("kyverno-reports-controller", _kyverno_pods("reports-controller"), metrics_ports=(8000,)),
)
"""kyverno 3.5.2: the admission and cleanup controllers serve the webhooks they register (`kyverno-svc`,
`kyverno-cleanup-controller`: Service 443 -> `https` 9443); metrics 8000 on every controller."""


PROMETHEUS_PODS = (("app.kubernetes.io/name", "prometheus"), ("operator.prometheus.io/name", f"{RELEASE}-prometheus"))
"""Prometheus' pods (created by the operator; its Service's selector)."""
ALERTMANAGER_PODS = (("alertmanager", f"{RELEASE}-alertmanager"), ("app.kubernetes.io/name", "alertmanager"))
"""Alertmanager's pods (created by the operator; its Service's selector)."""
GRAFANA_PODS = _chart_pods("grafana", RELEASE)
"""Grafana's pods (the grafana subchart's Service selector)."""
ALERTMANAGER_CLUSTER_PORT = 9094
"""Alertmanager's gossip port between replicas (TCP and UDP; the operator turns it off for one replica)."""
MONITORING = (
    Workload(
        "prometheus",
        PROMETHEUS_PODS,
        clients=(Peer(GRAFANA_PODS, (("TCP", 9090),)), Peer(PROMETHEUS_PODS, (("TCP", 9090), ("TCP", "reloader-web")))),
        open_egress=True,
    ),
    Workload(
        "alertmanager",
        ALERTMANAGER_PODS,
        clients=(
            Peer(PROMETHEUS_PODS, (("TCP", 9093), ("TCP", "reloader-web"))),
            Peer(GRAFANA_PODS, (("TCP", 9093),)),
            Peer(ALERTMANAGER_PODS, (("TCP", ALERTMANAGER_CLUSTER_PORT), ("UDP", ALERTMANAGER_CLUSTER_PORT))),
        ),
        calls=(Peer(ALERTMANAGER_PODS, (("TCP", ALERTMANAGER_CLUSTER_PORT), ("UDP", ALERTMANAGER_CLUSTER_PORT))),),
    ),
    Workload(
        "grafana",
        GRAFANA_PODS,
        clients=(Peer(PROMETHEUS_PODS, (("TCP", 3000),)),),
        calls=(Peer(PROMETHEUS_PODS, (("TCP", 9090),)), Peer(ALERTMANAGER_PODS, (("TCP", 9093),))),
    ),
    Workload(
        "prometheus-operator",
        (("app", f"{RELEASE}-operator"), ("release", RELEASE)),
        webhook_ports=(10250,),  # also its metrics (`https`), scraped by Prometheus
    ),
    Workload(
        "kube-state-metrics",
        _chart_pods("kube-state-metrics", RELEASE),
        clients=(Peer(PROMETHEUS_PODS, (("TCP", 8080),)),),
    ),
)
"""kube-prometheus-stack 77.6.2: Prometheus (9090, its config reloader's `reloader-web`) queried by Grafana and
scraped by itself; Alertmanager (9093, `reloader-web`) alerted and scraped by Prometheus, read by Grafana, 9094 between
replicas; Grafana (3000) scraped; the operator's webhook and metrics on 10250 (Service 443 -> `https`);
kube-state-metrics 8080. node-exporter runs on the host network, where NetworkPolicies do not apply."""


def api_ports(eks: bool) -> tuple[int, ...]:
    """Ports the API server's endpoints listen on: 443 on EKS; elsewhere also the kubeadm default 6443."""
    return (HTTPS,) if eks else (HTTPS, KUBEADM_API_PORT)


def _policy(namespace: str, name: str, pods: dict[str, str], spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(POLICY_LABELS)},
        "spec": {"podSelector": {"matchLabels": pods} if pods else {}, **spec},
    }


def _ports(protocol_ports: list[tuple[str, int | str]]) -> list[dict[str, Any]]:
    return [{"protocol": protocol, "port": port} for protocol, port in protocol_ports]


def _peer_rule(key: str, peer: Peer) -> dict[str, Any]:
    return {key: [{"podSelector": {"matchLabels": dict(peer.pods)}}], "ports": _ports(list(peer.ports))}


def _workload_policy(namespace: str, workload: Workload, pod_identity: bool) -> dict[str, Any]:
    ingress = []
    if workload.webhook_ports:  # no `from`: any source (the API server is outside the pod network)
        ingress.append({"ports": _ports([("TCP", port) for port in workload.webhook_ports])})
    if workload.metrics_ports:
        monitoring = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": MONITORING_NAMESPACE}}}
        ingress.append({"from": [monitoring], "ports": _ports([("TCP", port) for port in workload.metrics_ports])})
    ingress += [_peer_rule("from", peer) for peer in workload.clients]
    egress = [{"ports": _ports(list(workload.egress_ports))}] if workload.egress_ports else []
    egress += [_peer_rule("to", peer) for peer in workload.calls]
    if workload.open_egress:
        egress.append({})  # an empty rule: any destination, any port
    if pod_identity and workload.aws_credentials:
        agent = [{"ipBlock": {"cidr": cidr}} for cidr in POD_IDENTITY_AGENT]
        egress.append({"to": agent, "ports": _ports([("TCP", POD_IDENTITY_PORT)])})
    types = [kind for kind, rules in (("Ingress", ingress), ("Egress", egress)) if rules]
    spec: dict[str, Any] = {"policyTypes": types}
    if ingress:
        spec["ingress"] = ingress
    if egress:
        spec["egress"] = egress
    return _policy(namespace, f"allow-{workload.name}", dict(workload.pods), spec)


def namespace_policies(
    namespace: str, workloads: tuple[Workload, ...], eks: bool, pod_identity: bool = False
) -> list[dict[str, Any]]:
    """Default deny, DNS, the API ports, and each workload's own rules, in `namespace`."""
    dns = {
        "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": DNS_NAMESPACE}}}],
        "ports": _ports([("UDP", 53), ("TCP", 53)]),
    }
    api = {"ports": _ports([("TCP", port) for port in api_ports(eks)])}  # no `to`: see the module docstring
    return [
        _policy(namespace, "default-deny", {}, {"policyTypes": ["Ingress", "Egress"]}),
        _policy(namespace, "allow-dns", {}, {"policyTypes": ["Egress"], "egress": [dns]}),
        _policy(namespace, "allow-api-egress", {}, {"policyTypes": ["Egress"], "egress": [api]}),
        *(_workload_policy(namespace, workload, pod_identity) for workload in workloads),
    ]


ADDON_WORKLOADS = {
    "load_balancer_controller": LOAD_BALANCER_CONTROLLER,
    "external_dns": EXTERNAL_DNS,
    "cert_manager": CERT_MANAGER,
    "metrics_server": METRICS_SERVER,
}
"""Add-on (config field) -> its controllers' workloads."""


def addon_network_policies(
    addons: AddonsConfig, karpenter: bool, eks: bool, pod_identity: bool
) -> list[dict[str, Any]]:
    """Policies for Karpenter's namespace (when on) and every enabled add-on's namespace."""
    objects = namespace_policies(KARPENTER_NAMESPACE, KARPENTER, eks, pod_identity) if karpenter else []
    for addon, workloads in ADDON_WORKLOADS.items():
        if getattr(addons, addon).enabled:
            objects += namespace_policies(ADDON_ACCOUNTS[addon][0], workloads, eks, pod_identity)
    return objects


def service_network_policies(
    secrets: bool, policy: bool, observability: bool, eks: bool, pod_identity: bool
) -> list[dict[str, Any]]:
    """Policies for the namespaces of external-secrets, kyverno and monitoring (each when its feature is on)."""
    objects = namespace_policies(ESO_NAMESPACE, EXTERNAL_SECRETS, eks, pod_identity) if secrets else []
    objects += namespace_policies(KYVERNO_NAMESPACE, KYVERNO, eks, pod_identity) if policy else []
    return objects + (namespace_policies(MONITORING_NAMESPACE, MONITORING, eks, pod_identity) if observability else [])
