"""Issue #18: EKS capacity (Karpenter) and the add-on catalogue, cloud side, repo side, guardrails, config.

The cloud side runs the shipped stacks under the mock runtime and asserts what they register;
the IAM documents are checked as pure functions; the repo side reads the rendered tree.
"""

from __future__ import annotations

import base64
import copy
import json

import pytest
import yaml
from factories import config_problems, config_values, make_config
from stack_support import REPO_ROOT

from platform_kit import versions
from platform_kit.aws import addon_policies, karpenter
from platform_kit.guardrails.manifests import manifest_resources
from platform_kit.guardrails.rules import GuardrailConfig, Resource, check, iam_no_wildcard_actions
from platform_kit.inflate import ChartRef, ChartStore
from platform_kit.offline.preview import guardrail_violations, run_stack
from platform_kit.offline.preview_inflate import DEFAULT_CHART_DIR
from platform_kit.repo.argocd import objects as argocd_objects

ZONE = "Z0STAGINGEXAMPLE0001"
DOCUMENTS = {
    "karpenter": karpenter.controller_policy(
        "c1", "eu-west-1", "arn:aws:iam::1:role/node", "arn:aws:sqs:eu-west-1:1:q"
    ),
    "load-balancer-controller": addon_policies.load_balancer_controller_policy("c1", "eu-west-1"),
    "external-dns": addon_policies.external_dns_policy([ZONE], "eu-west-1"),
    "cert-manager": addon_policies.cert_manager_policy([ZONE], "eu-west-1"),
}
UNSCOPED = {**karpenter.UNSCOPED_RESOURCES, **addon_policies.UNSCOPED_RESOURCES}


@pytest.fixture(scope="module")
def runs():
    return {stack: run_stack(REPO_ROOT, stack) for stack in ("dev", "staging", "prod")}


def _of(run, type_):
    return [r for r in run.registrations if r.type == type_]


def _yaml(run, path):
    return [d for d in yaml.safe_load_all(run.seeded_files()[path]) if d]


# ------------------------------------------------------------------ IAM documents (pure)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_no_wildcard_action_and_every_unscoped_resource_is_documented(name):
    document = DOCUMENTS[name]
    resource = Resource("aws:iam/rolePolicy:RolePolicy", name, {"policy": json.dumps(document)})
    assert iam_no_wildcard_actions(resource, GuardrailConfig()) == []
    unscoped = [s["Sid"] for s in document["Statement"] if s["Resource"] == "*" or s["Resource"] == ["*"]]
    assert [sid for sid in unscoped if sid not in UNSCOPED] == []


def test_the_list_of_unscoped_resources_has_no_stale_entry():
    used = {s["Sid"] for d in DOCUMENTS.values() for s in d["Statement"] if s["Resource"] == "*"}
    assert set(UNSCOPED) == used


def test_karpenter_acts_only_on_its_own_cluster_and_node_role():
    statements = {s["Sid"]: s for s in DOCUMENTS["karpenter"]["Statement"]}
    delete = statements["KarpenterDeleteOwnResources"]
    assert delete["Condition"]["StringEquals"] == {"aws:ResourceTag/kubernetes.io/cluster/c1": "owned"}
    assert statements["KarpenterPassNodeRole"]["Resource"] == "arn:aws:iam::1:role/node"
    assert statements["KarpenterInterruptionQueue"]["Resource"] == "arn:aws:sqs:eu-west-1:1:q"
    assert statements["KarpenterRegionalReadActions"]["Condition"] == {
        "StringEquals": {"aws:RequestedRegion": "eu-west-1"}
    }


def test_the_load_balancer_controller_changes_only_this_clusters_load_balancers():
    statements = {s["Sid"]: s for s in DOCUMENTS["load-balancer-controller"]["Statement"]}
    own = statements["LbcOwnLoadBalancers"]["Condition"]["StringEquals"]
    assert own["aws:ResourceTag/elbv2.k8s.aws/cluster"] == "c1"
    create = statements["LbcCreateLoadBalancers"]["Condition"]["StringEquals"]
    assert create["aws:RequestTag/elbv2.k8s.aws/cluster"] == "c1"


def test_dns_roles_name_their_zones_and_cert_manager_only_writes_challenges():
    for name in ("external-dns", "cert-manager"):
        changing = [s for s in DOCUMENTS[name]["Statement"] if "route53:ChangeResourceRecordSets" in s["Action"]]
        assert changing and all(s["Resource"] == [f"arn:aws:route53:::hostedzone/{ZONE}"] for s in changing)
    (challenge,) = [s for s in DOCUMENTS["cert-manager"]["Statement"] if s["Sid"] == "CertManagerChallengeRecords"]
    assert challenge["Condition"]["ForAllValues:StringEquals"] == {
        "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]
    }


# ------------------------------------------------------------------ cloud side under the mock runtime


def test_karpenter_cloud_side(runs):
    dev = runs["dev"]
    (queue,) = _of(dev, "aws:sqs/queue:Queue")
    assert queue.inputs["sqsManagedSseEnabled"] is True
    (queue_policy,) = _of(dev, "aws:sqs/queuePolicy:QueuePolicy")
    denies = [s for s in json.loads(queue_policy.inputs["policy"])["Statement"] if s["Effect"] == "Deny"]
    assert denies[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    patterns = sorted(
        json.loads(r.inputs["eventPattern"])["detail-type"][0] for r in _of(dev, "aws:cloudwatch/eventRule:EventRule")
    )
    assert patterns == [
        "AWS Health Event",
        "EC2 Instance Rebalance Recommendation",
        "EC2 Instance State-change Notification",
        "EC2 Spot Instance Interruption Warning",
    ]
    targets = _of(dev, "aws:cloudwatch/eventTarget:EventTarget")
    rules = {r.name: r for r in _of(dev, "aws:cloudwatch/eventRule:EventRule")}
    assert len(targets) == 4 and {t.name for t in targets} == set(rules)
    for target in targets:  # each target sends its own rule's events to the queue
        assert target.inputs["rule"] == target.name
        assert target.inputs["arn"].startswith("arn:aws:sqs:") and target.inputs["arn"].endswith(
            ":" + queue.inputs.get("name", queue.name)
        )
        assert rules[target.name].urn in target.dependencies
    entries = [r.inputs for r in _of(dev, "aws:eks/accessEntry:AccessEntry") if r.inputs["type"] == "EC2_LINUX"]
    assert len(entries) == 1
    tags = [r.inputs for r in _of(dev, "aws:ec2/tag:Tag")]
    assert {t["key"] for t in tags} == {"karpenter.sh/discovery"} and {t["value"] for t in tags} == {"platform-dev"}
    assert len(tags) == 3 + 1  # three private subnets and the cluster security group
    (cluster,) = _of(dev, "aws:eks/cluster:Cluster")
    (group_tag,) = [r for r in _of(dev, "aws:ec2/tag:Tag") if r.name.endswith("-security-group")]
    assert group_tag.inputs["resourceId"].startswith("sg-")  # the cluster's own security group, computed by EKS
    assert cluster.urn in group_tag.dependencies
    associations = {
        (r.inputs["namespace"], r.inputs["serviceAccount"])
        for r in _of(dev, "aws:eks/podIdentityAssociation:PodIdentityAssociation")
    }
    assert ("karpenter", "karpenter") in associations
    assert ("aws-load-balancer-controller", "aws-load-balancer-controller") in associations


def test_irsa_roles_trust_exactly_their_service_accounts(runs):
    staging = runs["staging"]
    subjects = set()
    for role in _of(staging, "aws:iam/role:Role"):
        for statement in json.loads(role.inputs["assumeRolePolicy"])["Statement"]:
            for key, value in statement.get("Condition", {}).get("StringEquals", {}).items():
                if key.endswith(":sub"):
                    subjects.add(value)
    for account in ("karpenter:karpenter", "external-dns:external-dns", "cert-manager:cert-manager"):
        assert f"system:serviceaccount:{account}" in subjects


def test_every_rendered_stack_passes_the_guardrails_with_the_new_rules(runs):
    for run in runs.values():
        assert guardrail_violations(run) == []


def test_node_groups_capacity_registers_no_karpenter_resources():
    from platform_kit.offline.preview import run_stack as run

    local = run(REPO_ROOT, "local")
    assert not [r for r in local.registrations if r.type.startswith(("aws:sqs", "aws:cloudwatch/event"))]


# ------------------------------------------------------------------ repo side


def test_node_pools_follow_the_environment(runs):
    def pools(stack):
        objects = _yaml(runs[stack], f"infrastructure/{stack}/configs/configs.yaml")
        return {o["metadata"]["name"]: o for o in objects if o["kind"] == "NodePool"}

    capacity = lambda pool: pool["spec"]["template"]["spec"]["requirements"][0]["values"]  # noqa: E731
    assert capacity(pools("dev")["general"]) == ["spot"]
    assert capacity(pools("prod")["general"]) == ["on-demand"]
    for stack in ("dev", "prod"):
        assert pools(stack)["general"]["spec"]["limits"]["cpu"]
        assert pools(stack)["general"]["spec"]["disruption"]["budgets"]


def test_node_class_takes_every_cloud_value_from_the_contract(runs):
    (node_class,) = [
        o for o in _yaml(runs["prod"], "infrastructure/prod/configs/configs.yaml") if o["kind"] == "EC2NodeClass"
    ]
    spec = node_class["spec"]
    assert spec["role"] == "${PLATFORM_KARPENTER_NODE_ROLE}"
    assert spec["subnetSelectorTerms"] == [{"tags": {"karpenter.sh/discovery": "${PLATFORM_CLUSTER_NAME}"}}]
    assert spec["metadataOptions"]["httpPutResponseHopLimit"] == 1
    assert all(m["ebs"]["encrypted"] is True and m["ebs"]["volumeType"] == "gp3" for m in spec["blockDeviceMappings"])
    assert "arn:aws" not in runs["prod"].seeded_files()["infrastructure/prod/controllers/karpenter.yaml"]


def test_cluster_issuers_solve_dns01_in_the_configured_zones(runs):
    objects = _yaml(runs["staging"], "infrastructure/staging/configs/configs.yaml")
    issuers = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ClusterIssuer"}
    assert sorted(issuers) == ["letsencrypt-production", "letsencrypt-staging"]
    assert "acme-staging" in issuers["letsencrypt-staging"]["spec"]["acme"]["server"]
    (solver,) = issuers["letsencrypt-production"]["spec"]["acme"]["solvers"]
    assert solver["dns01"]["route53"]["hostedZoneID"] == ZONE
    assert solver["selector"]["dnsZones"] == ["staging.example.com"]


def test_karpenter_comes_from_oci_for_both_agents(runs):
    flux = _yaml(runs["dev"], "infrastructure/dev/controllers/karpenter.yaml")
    (repository,) = [o for o in flux if o["kind"] == "HelmRepository"]
    assert repository["spec"] == {"interval": "1h", "url": "oci://public.ecr.aws/karpenter", "type": "oci"}
    files = runs["staging"].seeded_files()
    applications = [
        d
        for path, text in files.items()
        if path.startswith("clusters/staging/") and path.endswith(".yaml")
        for d in yaml.safe_load_all(text)
        if d
    ]
    (app,) = [a for a in applications if a.get("kind") == "Application" and a["metadata"]["name"] == "karpenter"]
    assert app["spec"]["source"]["repoURL"] == "public.ecr.aws/karpenter"
    assert (
        app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
        < next(a for a in applications if a.get("kind") == "Application" and a["metadata"]["name"] == "infra-configs")[
            "metadata"
        ]["annotations"]["argocd.argoproj.io/sync-wave"]
    )


def test_argocd_gets_an_oci_repository_for_karpenters_registry_from_its_own_chart(runs):
    """Argo CD pulls a Helm chart from an OCI registry only with a repository Secret saying `enableOCI`."""
    config = runs["staging"].config
    values = argocd_objects.chart_values(config, config.gitops)
    store = ChartStore(REPO_ROOT / DEFAULT_CHART_DIR)
    rendered = store.render(
        ChartRef("argo-cd", versions.ARGOCD_CHART_VERSION), values, release="argocd", namespace="argocd"
    )
    repositories = [
        o
        for o in rendered.objects
        if o["kind"] == "Secret"
        and o["metadata"].get("labels", {}).get("argocd.argoproj.io/secret-type") == "repository"
    ]
    (secret,) = repositories
    data = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    assert data == {"name": "karpenter", "type": "helm", "url": "public.ecr.aws/karpenter", "enableOCI": "true"}
    local = make_config(agent="argocd")  # no OCI chart: no repository entry
    assert "repositories" not in argocd_objects.chart_values(local, local.gitops)["configs"]


# ------------------------------------------------------------------ guardrails


GOOD_CLASS = {
    "apiVersion": "karpenter.k8s.aws/v1",
    "kind": "EC2NodeClass",
    "metadata": {"name": "default"},
    "spec": {
        "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1},
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": True}}],
    },
}
GOOD_POOL = {
    "apiVersion": "karpenter.sh/v1",
    "kind": "NodePool",
    "metadata": {"name": "p"},
    "spec": {"limits": {"cpu": "8", "memory": "32Gi"}},
}


def _violations(*objects):
    files = {"infrastructure/x/configs/configs.yaml": yaml.safe_dump_all(objects)}
    return [str(v) for v in check(manifest_resources(files))]


def test_good_karpenter_objects_pass():
    assert _violations(GOOD_CLASS, GOOD_POOL) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda o: o["spec"]["metadataOptions"].update(httpPutResponseHopLimit=2), "httpPutResponseHopLimit must be 1"),
        (lambda o: o["spec"]["metadataOptions"].update(httpTokens="optional"), "httpTokens must be `required`"),
        (lambda o: o["spec"]["blockDeviceMappings"][0]["ebs"].update(encrypted=False), "ebs.encrypted must be true"),
        (lambda o: o["spec"].pop("blockDeviceMappings"), "declares no volume"),
    ],
)
def test_an_unsafe_node_class_is_a_violation(change, expected):
    bad = copy.deepcopy(GOOD_CLASS)
    change(bad)
    (violation,) = _violations(bad)
    assert violation.startswith("karpenter-node-class:") and expected in violation


def test_a_node_pool_without_limits_is_a_violation():
    bad = copy.deepcopy(GOOD_POOL)
    del bad["spec"]["limits"]["memory"]
    (violation,) = _violations(bad)
    assert violation.startswith("node-pool-limits:") and "memory" in violation


@pytest.mark.parametrize("resource", ["*", "arn:aws:route53:::hostedzone/*"])
def test_a_dns_role_not_limited_to_named_zones_is_a_violation(resource):
    document = addon_policies.external_dns_policy([ZONE], "eu-west-1")
    document["Statement"][0]["Resource"] = [resource]
    role = Resource("aws:iam/rolePolicy:RolePolicy", "external-dns", {"policy": json.dumps(document)})
    (violation,) = [str(v) for v in check([role])]
    assert violation.startswith("route53-named-zones:") and resource in violation


# ------------------------------------------------------------------ config errors, by field path


def test_config_errors_name_their_field():
    found = config_problems(
        config_values(
            {"cluster.capacity": {"kind": "karpenter", "nodePools": [{"name": "a", "cpuLimit": 0}]}}, cluster="eks"
        )
    )
    assert any(path.endswith("nodePools[0].cpuLimit") for path in found), found
    found = config_problems(
        config_values(services={"addons": {"externalDns": {}, "certManager": {"zones": []}}}, cluster="eks")
    )
    assert any(path.endswith("addons.externalDns.zones") for path in found), found
    assert any(path.endswith("addons.certManager.email") for path in found), found
    found = config_problems(
        config_values({"cluster.capacity": {"kind": "karpenter"}, "cluster.nodeGroups": []}, cluster="eks")
    )
    assert any(path.endswith("cluster.nodeGroups") for path in found), found


def test_aws_addons_need_eks():
    found = config_problems(config_values(services={"addons": {"loadBalancerController": {}, "metricsServer": {}}}))
    assert list(found) == ["platform.services.addons.loadBalancerController"]
    assert make_config(services={"addons": {"metricsServer": {}}}).services.addons.metrics_server.enabled
    # Auto Mode is built (tests/test_eks_auto_mode.py): accepted without node groups
    auto = make_config({"cluster.capacity": {"kind": "autoMode"}, "cluster.nodeGroups": []}, cluster="eks")
    assert auto.cluster.capacity.kind == "autoMode"
