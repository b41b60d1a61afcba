"""The platform namespaces' NetworkPolicies let exactly the traffic the real charts need through.

The evaluator (`netpol_support`) is first checked against the examples of the Kubernetes
NetworkPolicy documentation. Then dev (Flux) and staging (Argo CD, every add-on) are run
offline and inflated as their agent would apply them; the flows each controller needs are
read from the inflated charts (webhook and APIService Service references -> Service target
ports -> container ports; the charts rendered again with their ServiceMonitors on -> the
ports Prometheus scrapes), and each must be allowed by the inflated policies, while
unrelated flows must be denied.
"""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

import pytest
import yaml
from netpol_support import Address, Cluster, Pod, policy_types, selector_matches
from stack_support import REPO_ROOT

from platform_kit.config.addons import ADDON_ACCOUNTS
from platform_kit.inflate import ChartRef, ChartStore
from platform_kit.inflate.charts import deep_merge
from platform_kit.offline.preview import run_stack
from platform_kit.offline.preview_inflate import DEFAULT_CHART_DIR, inflate_run
from platform_kit.repo.services.addons import addon_charts
from platform_kit.repo.services.karpenter import karpenter_chart
from platform_kit.repo.services.network_policies import (
    POD_IDENTITY_AGENT,
    api_ports,
    namespace_policies,
    service_network_policies,
)
from platform_kit.repo.services.policy import kyverno_chart
from platform_kit.repo.services.secrets import eso_chart

CHARTS = REPO_ROOT / DEFAULT_CHART_DIR
ADDON_NAMESPACES = ("karpenter", *(ns for ns, _ in ADDON_ACCOUNTS.values()), "external-secrets", "kyverno")
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job")
KYVERNO_CONTROLLERS = ("admissionController", "backgroundController", "cleanupController", "reportsController")
MONITORS_ON = {
    "karpenter": {"serviceMonitor": {"enabled": True}},
    "aws-load-balancer-controller": {"serviceMonitor": {"enabled": True}},
    "external-dns": {"serviceMonitor": {"enabled": True}},
    "cert-manager": {"prometheus": {"servicemonitor": {"enabled": True}}},
    "metrics-server": {"metrics": {"enabled": True}, "serviceMonitor": {"enabled": True}},
    "external-secrets": {
        "serviceMonitor": {"enabled": True},
        "metrics": {"service": {"enabled": True}},
        "webhook": {"metrics": {"service": {"enabled": True}}},
        "certController": {"metrics": {"service": {"enabled": True}}},
    },
    "kyverno": {controller: {"serviceMonitor": {"enabled": True}} for controller in KYVERNO_CONTROLLERS},
}
"""Each chart's values turning its own ServiceMonitor on (what a user enabling scraping would set)."""
PROMETHEUS_LABELS = {
    "app.kubernetes.io/name": "prometheus",
    "operator.prometheus.io/name": "kube-prometheus-stack-prometheus",
}
"""Labels of the operator's Prometheus pods (kube-prometheus-stack's Prometheus Service selects them by these)."""
PROMETHEUS = Pod("monitoring", PROMETHEUS_LABELS, (("http-web", 9090, "TCP"),), name="prometheus")
KUBE_DNS = Pod("kube-system", {"k8s-app": "kube-dns"}, (("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")), name="coredns")
TEAM_POD = Pod("payments", {"app": "shop"}, (("http", 8080, "TCP"),), name="team pod")
API_SERVER = Address("10.0.12.34", "API server (EKS control-plane ENI)")
AWS_ENDPOINT = Address("52.94.133.131", "AWS API endpoint")
NODE = Address("10.0.40.7", "node (kubelet)")
POD_IDENTITY = Address("169.254.170.23", "EKS Pod Identity Agent (link-local, on the pod's node)")


# --- the evaluator, against the Kubernetes documentation's examples ---------------------------------------------

DOCS_EXAMPLE = {  # "The NetworkPolicy resource" (kubernetes.io/docs/concepts/services-networking/network-policies/)
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "test-network-policy", "namespace": "default"},
    "spec": {
        "podSelector": {"matchLabels": {"role": "db"}},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [
            {
                "from": [
                    {"ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}},
                    {"namespaceSelector": {"matchLabels": {"project": "myproject"}}},
                    {"podSelector": {"matchLabels": {"role": "frontend"}}},
                ],
                "ports": [{"protocol": "TCP", "port": 6379}],
            }
        ],
        "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}], "ports": [{"protocol": "TCP", "port": 5978}]}],
    },
}


def _policy(spec, namespace="default", name="p"):
    return {"metadata": {"name": name, "namespace": namespace}, "spec": spec}


def test_evaluator_on_the_documented_example():
    cluster = Cluster([DOCS_EXAMPLE], {"other": {"project": "myproject"}})
    db = Pod("default", {"role": "db"}, (("redis", 6379, "TCP"),), ip="10.1.0.5")
    frontend, backend = Pod("default", {"role": "frontend"}), Pod("default", {"role": "backend"})
    # "allows connections to TCP port 6379 of role=db pods in default from": frontend pods in default,
    # any pod in a namespace labelled project=myproject, 172.17.0.0-172.17.0.255 and 172.17.2.0-172.17.255.255
    assert cluster.allowed(frontend, db, 6379)
    assert cluster.allowed(Pod("other", {}), db, 6379)
    assert cluster.allowed(Address("172.17.0.9"), db, 6379)
    assert cluster.allowed(Address("172.17.2.1"), db, 6379)
    assert not cluster.allowed(Address("172.17.1.9"), db, 6379)  # the `except`
    assert not cluster.allowed(backend, db, 6379)
    assert not cluster.allowed(Pod("elsewhere", {"role": "frontend"}), db, 6379)  # podSelector: own namespace only
    assert not cluster.allowed(frontend, db, 6380)
    assert not cluster.allowed(frontend, db, 6379, "UDP")  # protocol defaults to TCP
    # "allows connections from any pod in default with role=db to CIDR 10.0.0.0/24 on TCP port 5978"
    assert cluster.allowed(db, Address("10.0.0.7"), 5978)
    assert not cluster.allowed(db, Address("10.0.1.7"), 5978)
    assert not cluster.allowed(db, Address("10.0.0.7"), 5979)
    # pods no policy selects are not isolated
    assert cluster.allowed(backend, frontend, 1234) and cluster.allowed(frontend, Address("8.8.8.8"), 53, "UDP")


def test_evaluator_and_versus_or_of_selectors():
    both = {"namespaceSelector": {"matchLabels": {"user": "alice"}}, "podSelector": {"matchLabels": {"role": "client"}}}
    either = [{"namespaceSelector": both["namespaceSelector"]}, {"podSelector": both["podSelector"]}]
    target = Pod("default", {"app": "server"})
    labels = {"alice-ns": {"user": "alice"}}
    one_element = Cluster([_policy({"podSelector": {}, "ingress": [{"from": [both]}]})], labels)
    two_elements = Cluster([_policy({"podSelector": {}, "ingress": [{"from": either}]})], labels)
    alice_client, alice_other = Pod("alice-ns", {"role": "client"}), Pod("alice-ns", {"role": "x"})
    local_client = Pod("default", {"role": "client"})
    assert one_element.allowed(alice_client, target, 80)
    assert not one_element.allowed(alice_other, target, 80) and not one_element.allowed(local_client, target, 80)
    assert all(two_elements.allowed(pod, target, 80) for pod in (alice_client, alice_other, local_client))
    assert not two_elements.allowed(Pod("default", {"role": "x"}), target, 80)


def test_evaluator_defaults_end_port_and_named_ports():
    deny_ingress = _policy({"podSelector": {}, "policyTypes": ["Ingress"]})
    pod, peer = Pod("default", {"a": "b"}, (("http", 8080, "TCP"),)), Pod("default", {})
    assert not Cluster([deny_ingress]).allowed(peer, pod, 8080)
    assert Cluster([deny_ingress]).allowed(pod, Address("1.2.3.4"), 443)  # egress untouched
    allow_all = _policy({"podSelector": {}, "ingress": [{}]}, name="allow-all-ingress")
    assert Cluster([deny_ingress, allow_all]).allowed(peer, pod, 9999)  # policies add up
    deny_egress = _policy({"podSelector": {}, "policyTypes": ["Egress"]})
    assert not Cluster([deny_egress]).allowed(pod, Address("1.2.3.4"), 443)
    assert policy_types({"podSelector": {}}) == ["Ingress"]
    assert policy_types({"podSelector": {}, "egress": []}) == ["Ingress", "Egress"]
    ranged = _policy(
        {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}], "ports": [{"port": 32000, "endPort": 32768}]}],
        }
    )
    assert [Cluster([ranged]).allowed(pod, Address("10.0.0.1"), p) for p in (31999, 32000, 32768, 32769)] == [
        False,
        True,
        True,
        False,
    ]
    named = _policy({"podSelector": {"matchLabels": {"a": "b"}}, "ingress": [{"ports": [{"port": "http"}]}]})
    assert Cluster([named]).allowed(peer, pod, 8080) and not Cluster([named]).allowed(peer, pod, 8081)
    assert selector_matches({"matchExpressions": [{"key": "k", "operator": "NotIn", "values": ["x"]}]}, {})
    assert not selector_matches({"matchExpressions": [{"key": "k", "operator": "Exists"}]}, {})


# --- the platform's policies against the flows the real charts need --------------------------------------------


@pytest.fixture(scope="module")
def stacks():
    """Stack -> (config, every inflated object, Pod Identity associations) for dev (Flux) and staging (Argo CD)."""
    result = {}
    for stack in ("dev", "staging"):
        run = run_stack(REPO_ROOT, stack)
        associations = {
            (r.raw_inputs["namespace"], r.raw_inputs["serviceAccount"])
            for r in run.registrations
            if r.type == "aws:eks/podIdentityAssociation:PodIdentityAssociation"
        }
        result[stack] = (run.config, [obj for _, obj in inflate_run(run, CHARTS).objects()], associations)
    return result


def _pods(objects, namespace):
    pods = []
    for obj in objects:
        if obj["kind"] in WORKLOADS and obj["metadata"]["namespace"] == namespace:
            template = obj["spec"]["template"]
            ports = tuple(
                (port.get("name"), port["containerPort"], port.get("protocol", "TCP"))
                for container in template["spec"]["containers"]
                for port in container.get("ports", [])
            )
            labels = template.get("metadata", {}).get("labels", {})  # hook Jobs' pods may carry none
            pods.append(Pod(namespace, labels, ports, name=obj["metadata"]["name"]))
    return pods


def _service_targets(service, port, pods):
    """(pod, container port) pairs a Service port (name or number) reaches."""
    spec_port = next(p for p in service["spec"]["ports"] if port in (p.get("name"), p["port"]))
    target = spec_port.get("targetPort", spec_port["port"])
    protocol = spec_port.get("protocol", "TCP")
    selected = [pod for pod in pods if selector_matches({"matchLabels": service["spec"]["selector"]}, pod.labels)]
    assert selected, f"Service {service['metadata']['name']} selects no pod"
    return [(pod, _container_port(pod, target, protocol)) for pod in selected]


def _container_port(pod, target, protocol="TCP"):
    if isinstance(target, int):
        return target
    return next(number for name, number, proto in pod.ports if name == target and proto == protocol)


def _webhook_flows(objects, namespace, pods):
    """(pod, port) the API server calls: admission webhooks, aggregated APIs and CRD conversion in `namespace`."""
    references = []
    for obj in objects:
        if obj["kind"] in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
            references += [w["clientConfig"].get("service") for w in obj.get("webhooks", [])]
        elif obj["kind"] == "APIService":
            references.append(obj["spec"].get("service"))
        elif obj["kind"] == "CustomResourceDefinition":
            conversion = obj["spec"].get("conversion", {})
            references.append(conversion.get("webhook", {}).get("clientConfig", {}).get("service"))
    references += _runtime_webhooks(objects, namespace)
    flows = set()
    services = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Service"}
    for ref in references:
        if ref and ref["namespace"] == namespace:
            flows |= set(_service_targets(services[ref["name"]], ref.get("port", 443), pods))
    return flows


def _runtime_webhooks(objects, namespace):
    """Webhooks a controller registers itself (Kyverno): its certificate's Service (`--tlsSecretName=<svc>.<ns>.svc.*`)
    on `--servicePort`, the Service reference of the webhook configurations it writes."""
    references = []
    for obj in objects:
        if obj["kind"] != "Deployment" or obj["metadata"]["namespace"] != namespace:
            continue
        for container in obj["spec"]["template"]["spec"]["containers"]:
            flags = dict(arg.removeprefix("--").split("=", 1) for arg in container.get("args", []) if "=" in arg)
            if "servicePort" in flags and "tlsSecretName" in flags:
                service, service_namespace = flags["tlsSecretName"].split(".")[:2]
                references.append({"namespace": service_namespace, "name": service, "port": int(flags["servicePort"])})
    return references


def _chart(config, namespace):
    irsa = config.workload_identity == "irsa"
    charts = list(addon_charts(config.services.addons, irsa))
    capacity = getattr(config.cluster, "capacity", None)
    if capacity is not None and capacity.kind == "karpenter":
        charts.append(karpenter_chart(capacity, irsa))
    charts += [eso_chart(config.services.secrets, config.secrets_auth, irsa), kyverno_chart(config.services.policy)]
    return next(c for c in charts if c.namespace == namespace)


def _monitor_flows(config, namespace, pods):
    """(pod, port) Prometheus scrapes once the chart's own ServiceMonitor is on (the library's values + MONITORS_ON)."""
    chart = _chart(config, namespace)
    values = deep_merge(copy.deepcopy(chart.values), MONITORS_ON[chart.chart])
    rendered = (
        ChartStore(CHARTS)
        .render(ChartRef(chart.chart, chart.version), values, release=chart.release, namespace=namespace)
        .objects
    )
    services = [o for o in rendered if o["kind"] == "Service"]
    monitors = [o for o in rendered if o["kind"] == "ServiceMonitor"]
    if chart.chart == "karpenter":
        # its ServiceMonitor template also needs the monitoring.coreos.com/v1 capability, which offline rendering
        # cannot announce; the template's endpoint is `port: http-metrics` on the chart's Service
        assert not monitors
        monitors = [
            {
                "spec": {
                    "selector": {"matchLabels": services[0]["spec"]["selector"]},
                    "endpoints": [{"port": "http-metrics"}],
                }
            }
        ]
    if chart.chart == "external-secrets":
        # likewise (the capability); its three ServiceMonitor templates' endpoints are `port: metrics` on the
        # controller's, the webhook's and the cert-controller's Services
        assert not monitors
        monitors = [
            {"spec": {"selector": {"matchLabels": s["metadata"]["labels"]}, "endpoints": [{"port": "metrics"}]}}
            for s in services
            if any(p.get("name") == "metrics" for p in s["spec"]["ports"])
        ]
        assert len(monitors) == 3
    assert monitors, f"{chart.chart}: no ServiceMonitor rendered"
    flows = set()
    for monitor in monitors:
        for service in services:
            if not selector_matches(monitor["spec"]["selector"], service["metadata"].get("labels") or {}):
                continue
            for endpoint in monitor["spec"]["endpoints"]:
                if "port" in endpoint and any(p.get("name") == endpoint["port"] for p in service["spec"]["ports"]):
                    flows |= set(_service_targets(service, endpoint["port"], pods))
                elif "targetPort" in endpoint:
                    selected = [
                        p for p in pods if selector_matches({"matchLabels": service["spec"]["selector"]}, p.labels)
                    ]
                    flows |= {(pod, _container_port(pod, endpoint["targetPort"])) for pod in selected}
    assert flows, f"{chart.chart}: its ServiceMonitors reach no pod"
    return flows


def _enabled(objects):
    return [
        ns
        for ns in ADDON_NAMESPACES
        if any(o["kind"] == "Deployment" and o["metadata"].get("namespace") == ns for o in objects)
    ]


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_every_addon_pod_is_isolated_both_ways(stacks, stack):
    config, objects, _ = stacks[stack]
    cluster = Cluster([o for o in objects if o["kind"] == "NetworkPolicy"])
    namespaces = _enabled(objects)
    assert {"dev": {"karpenter", "aws-load-balancer-controller", "metrics-server"}, "staging": set(ADDON_NAMESPACES)}[
        stack
    ] | {"external-secrets", "kyverno"} == set(namespaces)
    for namespace in namespaces:
        for pod in _pods(objects, namespace):
            assert cluster.selecting(pod, "Ingress") and cluster.selecting(pod, "Egress"), (namespace, pod.name)


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_the_flows_the_charts_need_are_allowed(stacks, stack):
    config, objects, _ = stacks[stack]
    cluster = Cluster([o for o in objects if o["kind"] == "NetworkPolicy"])
    checked = 0
    for namespace in _enabled(objects):
        pods = _pods(objects, namespace)
        for pod, port in _webhook_flows(objects, namespace, pods):
            assert cluster.allowed(API_SERVER, pod, port), f"API server -> {pod.name}:{port}"
            checked += 1
        for pod, port in _monitor_flows(config, namespace, pods):
            assert cluster.allowed(PROMETHEUS, pod, port), f"Prometheus -> {pod.name}:{port}"
            checked += 1
        for pod in pods:
            assert cluster.allowed(pod, KUBE_DNS, 53, "UDP") and cluster.allowed(pod, KUBE_DNS, 53, "TCP"), pod.name
            assert all(cluster.allowed(pod, API_SERVER, port) for port in api_ports(eks=True)), pod.name
            assert cluster.allowed(pod, AWS_ENDPOINT, 443), pod.name
            checked += 4
    assert checked == {"dev": 71, "staging": 92}[stack]  # webhook, scrape, DNS, API and AWS flows checked


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_unrelated_flows_are_denied(stacks, stack):
    _, objects, _ = stacks[stack]
    cluster = Cluster([o for o in objects if o["kind"] == "NetworkPolicy"])
    for namespace in _enabled(objects):
        pods = _pods(objects, namespace)
        webhooks = _webhook_flows(objects, namespace, pods)
        for pod in pods:
            for name, number, protocol in pod.ports:
                if (pod, number) not in webhooks:  # webhook ports are open to all: the API server has no selector
                    assert not cluster.allowed(TEAM_POD, pod, number, protocol), f"team -> {pod.name}:{name}"
                    assert not cluster.allowed(KUBE_DNS, pod, number, protocol), f"kube-system -> {pod.name}:{name}"
            assert not cluster.allowed(pod, TEAM_POD, 8080), f"{pod.name} -> team pod"
            assert not cluster.allowed(pod, AWS_ENDPOINT, 8080), f"{pod.name} -> :8080"
            assert not cluster.allowed(pod, PROMETHEUS, 9090), f"{pod.name} -> prometheus"
            assert not cluster.allowed(pod, KUBE_DNS, 9153), f"{pod.name} -> coredns metrics"


def test_the_extra_egress_is_limited_to_its_controller(stacks):
    _, objects, _ = stacks["staging"]
    cluster = Cluster([o for o in objects if o["kind"] == "NetworkPolicy"])
    by_name = {pod.name: pod for ns in ADDON_NAMESPACES for pod in _pods(objects, ns)}
    dns_server = Address("205.251.192.10", "Route 53 authoritative nameserver")
    assert cluster.allowed(by_name["cert-manager"], dns_server, 53, "UDP")  # DNS-01 propagation check
    assert cluster.allowed(by_name["cert-manager"], AWS_ENDPOINT, 80)  # HTTP-01 self-check
    assert cluster.allowed(by_name["metrics-server"], NODE, 10250)  # the kubelets
    for name in ("cert-manager-webhook", "cert-manager-cainjector", "external-dns", "karpenter"):
        assert not cluster.allowed(by_name[name], dns_server, 53, "UDP"), name
        assert not cluster.allowed(by_name[name], NODE, 10250), name


def test_without_its_allow_policy_the_webhook_is_cut_off(stacks):
    _, objects, _ = stacks["staging"]
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    namespace = "aws-load-balancer-controller"
    (flow,) = _webhook_flows(objects, namespace, _pods(objects, namespace))
    assert flow[1] == 9443  # the chart's `webhook-server` container port behind Service port 443
    assert Cluster(policies).allowed(API_SERVER, *flow)
    rest = [p for p in policies if p["metadata"]["name"] != "allow-aws-load-balancer-controller"]
    assert not Cluster(rest).allowed(API_SERVER, *flow)


def test_api_ports_on_existing_clusters():
    policies = namespace_policies("metrics-server", (), eks=False)
    cluster = Cluster(policies)
    pod = Pod("metrics-server", {})
    assert api_ports(eks=False) == (443, 6443) and api_ports(eks=True) == (443,)
    assert cluster.allowed(pod, API_SERVER, 6443) and not cluster.allowed(pod, API_SERVER, 6444)
    assert not Cluster(namespace_policies("metrics-server", (), eks=True)).allowed(pod, API_SERVER, 6443)


def _service_accounts(objects, namespace):
    """Workload name -> the service account its pods run as."""
    return {
        o["metadata"]["name"]: o["spec"]["template"]["spec"].get("serviceAccountName", "default")
        for o in objects
        if o["kind"] in WORKLOADS and o["metadata"]["namespace"] == namespace
    }


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_pod_identity_agent_only_for_the_associated_service_accounts(stacks, stack):
    config, objects, associations = stacks[stack]
    cluster = Cluster([o for o in objects if o["kind"] == "NetworkPolicy"])
    assert config.workload_identity == {"dev": "pod-identity", "staging": "irsa"}[stack]
    reached = set()
    for namespace in _enabled(objects):
        accounts = _service_accounts(objects, namespace)
        for pod in _pods(objects, namespace):
            associated = (namespace, accounts[pod.name]) in associations
            http_anywhere = pod.name == "cert-manager"  # its HTTP-01 self-checks: TCP 80 to any address
            assert cluster.allowed(pod, POD_IDENTITY, 80) == (associated or http_anywhere), (pod.name, associated)
            assert not cluster.allowed(pod, POD_IDENTITY, 2703), pod.name  # the agent's health port: not for pods
            reached |= {(namespace, accounts[pod.name])} if associated else set()
    # every association the plan registers (Karpenter, the load balancer controller, external-secrets) is served
    assert (
        reached
        == associations
        == (
            {
                ("karpenter", "karpenter"),
                ("aws-load-balancer-controller", "aws-load-balancer-controller"),
                ("external-secrets", "external-secrets"),
            }
            if stack == "dev"
            else set()
        )
    )
    assert POD_IDENTITY_AGENT == ("169.254.170.23/32", "fd00:ec2::23/128")


def test_eso_and_kyverno_webhooks_come_from_the_charts_and_need_their_policies(stacks):
    _, objects, _ = stacks["staging"]
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    found = {}
    for namespace in ("external-secrets", "kyverno"):
        for pod, port in _webhook_flows(objects, namespace, _pods(objects, namespace)):
            found[pod.name] = port
    # ESO: its ValidatingWebhookConfigurations -> Service 443 -> `webhook` 10250; Kyverno registers its own
    # webhooks on its certificates' Services, 443 -> `https` 9443 (admission and cleanup controllers)
    assert found == {
        "external-secrets-webhook": 10250,
        "kyverno-admission-controller": 9443,
        "kyverno-cleanup-controller": 9443,
    }
    pods = {pod.name: pod for ns in ("external-secrets", "kyverno") for pod in _pods(objects, ns)}
    for name, port in found.items():
        assert Cluster(policies).allowed(API_SERVER, pods[name], port), name
        rest = [p for p in policies if p["metadata"]["name"] != f"allow-{name}"]
        assert not Cluster(rest).allowed(API_SERVER, pods[name], port), name
    # the background and reports controllers listen on 9443 too, but serve no webhook: closed
    for name in ("kyverno-background-controller", "kyverno-reports-controller"):
        assert not Cluster(policies).allowed(API_SERVER, pods[name], 9443), name


# --- the monitoring namespace (kube-prometheus-stack and its grafana, kube-state-metrics, node-exporter subcharts) -

MONITORING = "monitoring"
RELEASE = "kube-prometheus-stack"
RELOADER_PORT = 8080
"""The operator's config-reloader sidecar's `reloader-web` port (prometheus-operator v0.85.0; not in the chart)."""
MESH_PORT = 9094
"""Alertmanager's cluster port between replicas (the operator's `mesh-tcp`/`mesh-udp`; not in the chart)."""


def _operator_pods(objects):
    """Prometheus' and Alertmanager's pods, which the operator creates: their Service's selector and ports."""
    services = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Service"}
    pods = []
    for obj in objects:
        if obj["kind"] not in ("Prometheus", "Alertmanager"):
            continue
        service = services[obj["metadata"]["name"]]
        web = next(p for p in service["spec"]["ports"] if p["name"] == obj["spec"].get("portName", "web"))
        ports = [(web["name"], web["targetPort"], "TCP"), ("reloader-web", RELOADER_PORT, "TCP")]
        if obj["kind"] == "Alertmanager":
            ports += [("mesh-tcp", MESH_PORT, "TCP"), ("mesh-udp", MESH_PORT, "UDP")]
        labels = {**service["spec"]["selector"], **(obj["spec"].get("podMetadata") or {}).get("labels", {})}
        for replica in range(max(obj["spec"].get("replicas", 1), 2)):  # two, to check the flows between replicas
            ip = f"10.1.{len(pods) + 20}.{replica + 10}"
            pods.append(Pod(MONITORING, labels, tuple(ports), ip=ip, name=f"{obj['kind'].lower()}-{replica}"))
    return pods


def _monitoring(objects):
    """(pods the policies apply to, host-network workload names) in the monitoring namespace."""
    host = {
        o["metadata"]["name"]
        for o in objects
        if o["kind"] in WORKLOADS
        and o["metadata"]["namespace"] == MONITORING
        and o["spec"]["template"]["spec"].get("hostNetwork")
    }
    pods = [p for p in _pods(objects, MONITORING) if p.name not in host]
    return pods + _operator_pods(objects), host


def _role(pod):
    """A pod's workload: its name without the replica suffix of the operator's pods."""
    return pod.name.removesuffix("-0").removesuffix("-1")


def _by_name(pods):
    return {pod.name.removeprefix("kube-prometheus-stack-"): pod for pod in pods}


def _service_flows(objects, pods, service_name, port):
    service = next(o for o in objects if o["kind"] == "Service" and o["metadata"]["name"] == service_name)
    assert service["metadata"]["namespace"] == MONITORING
    return _service_targets(service, port, pods)


def _monitoring_flows(objects, pods):
    """(client, pod, port, protocol) inside monitoring that the chart configures."""
    named = _by_name(pods)
    prometheus, grafana = named["prometheus-0"], named["grafana"]
    flows = set()
    for monitor in (o for o in objects if o["kind"] == "ServiceMonitor"):
        namespaces = (monitor["spec"].get("namespaceSelector") or {}).get(
            "matchNames", [monitor["metadata"]["namespace"]]
        )
        if MONITORING not in namespaces:
            continue
        for service in (o for o in objects if o["kind"] == "Service" and o["metadata"]["namespace"] == MONITORING):
            if selector_matches(monitor["spec"]["selector"], service["metadata"].get("labels") or {}):
                if service["metadata"]["name"].endswith("node-exporter"):
                    continue  # host network: checked against a node address below
                for endpoint in monitor["spec"]["endpoints"]:
                    flows |= {(prometheus, p, n, "TCP") for p, n in _service_targets(service, endpoint["port"], pods)}
    for target in (o for o in objects if o["kind"] == "Prometheus"):
        for alertmanager in target["spec"]["alerting"]["alertmanagers"]:
            for pod, port in _service_flows(objects, pods, alertmanager["name"], alertmanager["port"]):
                flows.add((prometheus, pod, port, "TCP"))
    datasources = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].endswith("datasource"))
    for source in yaml.safe_load(datasources["data"]["datasource.yaml"])["datasources"]:
        host, port = urlsplit(source["url"]).hostname, urlsplit(source["url"]).port
        service_name, namespace = host.split(".")[:2]
        assert namespace == MONITORING
        flows |= {(grafana, pod, number, "TCP") for pod, number in _service_flows(objects, pods, service_name, port)}
    replicas = [pod for pod in pods if pod.name.startswith("alertmanager-")]
    flows |= {(a, b, MESH_PORT, protocol) for a in replicas for b in replicas if a != b for protocol in ("TCP", "UDP")}
    return flows


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_monitoring_pods_are_isolated_and_node_exporter_is_on_the_host(stacks, stack):
    _, objects, _ = stacks[stack]
    cluster = Cluster([o for o in objects if o["kind"] == "NetworkPolicy"])
    pods, host = _monitoring(objects)
    assert host == {"kube-prometheus-stack-prometheus-node-exporter"}  # NetworkPolicies do not apply to it
    assert set(_by_name(pods)) >= {"operator", "grafana", "kube-state-metrics", "prometheus-0", "alertmanager-0"}
    for pod in pods:
        assert cluster.selecting(pod, "Ingress") and cluster.selecting(pod, "Egress"), pod.name
    # nothing outside the namespace is meant to reach Grafana, Prometheus or Alertmanager: the chart exposes none
    in_monitoring = [o for o in objects if o["metadata"].get("namespace") == MONITORING]
    assert not [o for o in in_monitoring if o["kind"] in ("Ingress", "HTTPRoute", "Gateway")]
    assert {o["spec"].get("type", "ClusterIP") for o in in_monitoring if o["kind"] == "Service"} == {"ClusterIP"}


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_the_flows_kube_prometheus_stack_needs_are_allowed(stacks, stack):
    _, objects, _ = stacks[stack]
    cluster = Cluster([o for o in objects if o["kind"] == "NetworkPolicy"])
    pods, _ = _monitoring(objects)
    flows = _monitoring_flows(objects, pods)
    for client, pod, port, protocol in flows:
        assert cluster.allowed(client, pod, port, protocol), f"{client.name} -> {pod.name}:{port}/{protocol}"
    webhooks = _webhook_flows(objects, MONITORING, pods)
    assert {(pod.name, port) for pod, port in webhooks} == {("kube-prometheus-stack-operator", 10250)}
    for pod, port in webhooks:
        assert cluster.allowed(API_SERVER, pod, port), f"API server -> {pod.name}:{port}"
    for pod in pods:
        assert cluster.allowed(pod, KUBE_DNS, 53, "UDP") and cluster.allowed(pod, KUBE_DNS, 53, "TCP"), pod.name
        assert cluster.allowed(pod, API_SERVER, 443), pod.name  # Grafana's sidecars and the operator read the API
        assert cluster.allowed(pod, AWS_ENDPOINT, 443), pod.name  # Alertmanager's receivers, Grafana's update checks
    prometheus = _by_name(pods)["prometheus-0"]
    for target, port in ((NODE, 9100), (NODE, 10250), (TEAM_POD, 8080), (KUBE_DNS, 9153), (AWS_ENDPOINT, 9999)):
        assert cluster.allowed(prometheus, target, port), f"prometheus -> {target.name}:{port}"  # open egress
    # Grafana -> Prometheus, Grafana -> Alertmanager, Prometheus -> Alertmanager, self-scrapes, gossip both ways
    assert len(flows) == 19


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_unrelated_monitoring_flows_are_denied(stacks, stack):
    _, objects, _ = stacks[stack]
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    cluster = Cluster(policies)
    pods, _ = _monitoring(objects)
    webhooks = {(pod.name, port) for pod, port in _webhook_flows(objects, MONITORING, pods)}
    flows = {(_role(c), _role(p), port, proto) for c, p, port, proto in _monitoring_flows(objects, pods)}
    for pod in pods:
        for _, number, protocol in pod.ports:
            if (pod.name, number) not in webhooks:
                assert not cluster.allowed(TEAM_POD, pod, number, protocol), f"team -> {pod.name}:{number}"
            for client in pods:  # inside the namespace (all isolated for egress): only the chart's flows
                expected = (_role(client), _role(pod), number, protocol) in flows
                assert cluster.allowed(client, pod, number, protocol) == expected, (client.name, pod.name, number)
        if not pod.name.startswith("prometheus-"):
            assert not cluster.allowed(pod, TEAM_POD, 8080), f"{pod.name} -> team pod"
            assert not cluster.allowed(pod, AWS_ENDPOINT, 8080), f"{pod.name} -> :8080"
            assert not cluster.allowed(pod, NODE, 9100), f"{pod.name} -> node-exporter"
    grafana, prometheus = _by_name(pods)["grafana"], _by_name(pods)["prometheus-0"]
    rest = [p for p in policies if p["metadata"]["name"] != "allow-prometheus"]
    assert cluster.allowed(grafana, prometheus, 9090) and not Cluster(rest).allowed(grafana, prometheus, 9090)


def test_monitoring_policies_follow_the_feature_and_the_cluster_kind():
    assert service_network_policies(False, False, False, eks=True, pod_identity=False) == []
    policies = service_network_policies(False, False, True, eks=False, pod_identity=False)
    assert {p["metadata"]["namespace"] for p in policies} == {MONITORING}
    grafana = Pod(
        MONITORING, {"app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kube-prometheus-stack"}
    )
    assert Cluster(policies).allowed(grafana, API_SERVER, 6443)  # existing clusters: kubeadm's API port
    eks = service_network_policies(False, False, True, eks=True, pod_identity=True)
    assert not Cluster(eks).allowed(grafana, API_SERVER, 6443)
    assert not Cluster(eks).allowed(grafana, POD_IDENTITY, 80)  # nothing in monitoring calls AWS
