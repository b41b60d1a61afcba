"""The policy pack in policy/ through pulumi-policy's real analyzer, in its own virtualenv (.venv-policy).

pulumi-policy pins protobuf~=5.29, so it never goes into the project's .venv; .ci/run
creates .venv-policy from policy/requirements.txt. The rendered stacks' recorded
resources are replayed as the engine's gRPC analyzer requests (tests/policy_replay.py)
and the pack must report exactly what `render --check` reports. Not run here: the pack
under `pulumi preview` itself (no Pulumi CLI on these machines).
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from platform_kit.guardrails.offline import check_registrations
from platform_kit.guardrails.rules import RULES, GuardrailConfig
from platform_kit.offline.engine import INTERNAL_INPUTS, mock_id
from platform_kit.offline.preview import StackRun, plan_resource, run_stack

REPO_ROOT = Path(__file__).resolve().parent.parent
POLICY_PYTHON = Path(os.environ.get("PLATFORM_KIT_POLICY_VENV", REPO_ROOT / ".venv-policy")) / "bin" / "python"
SHIPPED = ("local", "local-argocd", "dev", "staging", "prod")
UNKNOWN_BOOLEAN = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7"
"""The engine's wire value for a boolean not known during preview (pulumi's UNKNOWN_BOOLEAN_VALUE)."""

pytestmark = pytest.mark.skipif(
    not POLICY_PYTHON.exists(),
    reason="no .venv-policy (pulumi-policy pins protobuf~=5.29, so it lives apart from .venv); create it with "
    "`python3 -m venv .venv-policy && cd policy && ../.venv-policy/bin/pip install -r requirements.txt` "
    "(.ci/run does)",
)


def resources_of(run: StackRun) -> list[dict[str, Any]]:
    """The run's registrations as replay input: real inputs, provider references, node subnets as property deps."""
    subnets = {mock_id(r.name): r.urn for r in run.registrations if r.type == "aws:ec2/subnet:Subnet"}
    found = [
        plan_resource(r, {k: v for k, v in r.inputs.items() if k not in INTERNAL_INPUTS}) for r in run.registrations
    ]
    return [with_subnet_dependencies(r, subnets) for r in found]


def with_subnet_dependencies(resource: dict[str, Any], subnets: dict[str, str]) -> dict[str, Any]:
    """What the engine sends: a node group's `subnetIds` depends on the subnets it names."""
    ids = resource["inputs"].get("subnetIds") if resource["type"] == "aws:eks/nodeGroup:NodeGroup" else None
    deps = {"subnetIds": [subnets[i] for i in ids if i in subnets]} if ids else {}
    return {**resource, "propertyDependencies": deps}


def offline_violations(resources: list[dict[str, Any]], environment: str | None, **config: Any) -> set[str]:
    """What `render --check` reports for the same resources."""
    recorded = [SimpleNamespace(**{k: r[k] for k in ("urn", "type", "name", "provider", "inputs")}) for r in resources]
    found = check_registrations(recorded, GuardrailConfig(environment=environment, **config), lambda r: mock_id(r.name))
    return {str(v) for v in found}


def replay(cases: dict[str, dict[str, Any]], tmp_path: Path) -> dict[str, dict[str, Any]]:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases))
    result = subprocess.run(
        [str(POLICY_PYTHON), str(REPO_ROOT / "tests" / "policy_replay.py"), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def reported(result: dict[str, Any], level: str = "mandatory") -> set[str]:
    """Violation lines (the message after the policy description) at one enforcement level."""
    lines = set()
    for diagnostic in result["diagnostics"]:
        if diagnostic["level"] == level:
            line = diagnostic["message"].splitlines()[-1]
            assert line.startswith(diagnostic["policy"] + ": "), diagnostic
            lines.add(line)
    return lines


@pytest.fixture(scope="module")
def runs() -> dict[str, StackRun]:
    return {stack: run_stack(REPO_ROOT, stack) for stack in SHIPPED}


def find(resources: list[dict[str, Any]], type_: str, suffix: str = "") -> list[dict[str, Any]]:
    return [r for r in resources if r["type"] == type_ and r["name"].endswith(suffix)]


def break_everything(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """prod's resources with each rule broken once (or more).

    Karpenter's EC2NodeClass and NodePool reach the cluster through Git, so prod registers none; a
    program that manages them with Pulumi would, so a broken one of each is added here."""
    resources = copy.deepcopy(resources)
    (cluster,) = find(resources, "aws:eks/cluster:Cluster")
    cluster["inputs"]["vpcConfig"]["endpointPublicAccess"] = True
    del cluster["inputs"]["encryptionConfig"]
    for key in find(resources, "aws:kms/key:Key"):
        key["inputs"]["enableKeyRotation"] = False
    for template in find(resources, "aws:ec2/launchTemplate:LaunchTemplate"):
        template["inputs"]["metadataOptions"]["httpTokens"] = "optional"
        template["inputs"]["blockDeviceMappings"][0]["ebs"]["encrypted"] = "false"
    for secret in find(resources, "aws:secretsmanager/secret:Secret"):
        del secret["inputs"]["kmsKeyId"]
    (role,) = find(resources, "aws:iam/role:Role", "cluster-role")
    role["inputs"]["assumeRolePolicy"] = role["inputs"]["assumeRolePolicy"].replace("sts:AssumeRole", "sts:*")
    (provider,) = find(resources, "pulumi:providers:aws")
    provider["inputs"]["defaultTags"] = json.dumps({"tags": {"environment": "prod"}})
    public = {mock_id(s["name"]): s["urn"] for s in find(resources, "aws:ec2/subnet:Subnet") if "public" in s["name"]}
    for group in find(resources, "aws:eks/nodeGroup:NodeGroup"):
        group["inputs"]["subnetIds"] = sorted(public)
    (dns,) = find(resources, "aws:iam/rolePolicy:RolePolicy", "external-dns-policy")
    dns["inputs"]["policy"] = re.sub(
        r"arn:aws:route53:::hostedzone/[A-Z0-9]+", "arn:aws:route53:::hostedzone/*", dns["inputs"]["policy"]
    )
    resources += [karpenter_object(cluster, "EC2NodeClass", "karpenter.k8s.aws/v1", {"amiFamily": "AL2023"})]
    resources += [karpenter_object(cluster, "NodePool", "karpenter.sh/v1", {"template": {}})]
    # Auto Mode: compute on without block storage or load balancing or a node role; an unencrypted EBS class
    cluster["inputs"]["computeConfig"] = {"enabled": True, "nodePools": ["system"]}
    storage_class = karpenter_object(cluster, "StorageClass", "storage.k8s.io/v1", {})
    del storage_class["inputs"]["spec"]
    storage_class["inputs"] |= {"provisioner": "ebs.csi.eks.amazonaws.com", "parameters": {"type": "gp3"}}
    resources += [storage_class]
    return [with_subnet_dependencies(r, public) for r in resources]


def karpenter_object(cluster: dict[str, Any], kind: str, api_version: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A Kubernetes object (Karpenter's, a StorageClass) as a Pulumi program registers it (pulumi-kubernetes type)."""
    type_ = f"kubernetes:{api_version}:{kind}"
    urn = cluster["urn"].rsplit("::", 1)[0] + f"::{type_}::{kind.lower()}"
    return {
        "urn": urn,
        "type": type_,
        "name": kind.lower(),
        "parent": cluster["parent"],
        "dependencies": [],
        "provider": cluster["provider"],
        "inputs": {"apiVersion": api_version, "kind": kind, "metadata": {"name": "default"}, "spec": spec},
        "propertyDependencies": {},
    }


def public_endpoint_tagged(resources: list[dict[str, Any]], environment: str) -> list[dict[str, Any]]:
    resources = copy.deepcopy(resources)
    find(resources, "aws:eks/cluster:Cluster")[0]["inputs"]["vpcConfig"]["endpointPublicAccess"] = True
    tags = {"environment": environment, "owner": "platform-team"}
    find(resources, "pulumi:providers:aws")[0]["inputs"]["defaultTags"] = json.dumps({"tags": tags})
    return resources


def test_the_pack_reports_what_render_check_reports(runs, tmp_path):
    prod = resources_of(runs["prod"])
    broken = break_everything(prod)
    dev_tagged = public_endpoint_tagged(prod, "dev")
    unknown = copy.deepcopy(prod)
    find(unknown, "aws:eks/cluster:Cluster")[0]["inputs"]["vpcConfig"]["endpointPublicAccess"] = UNKNOWN_BOOLEAN
    cases = {stack: {"resources": resources_of(run), "stack_config": {}} for stack, run in runs.items()}
    cases["prod"]["stack_config"] = {"platform:environment": "prod"}
    cases |= {
        "broken": {"resources": broken, "stack_config": {"platform:environment": "prod"}},
        "stack-says-prod": {"resources": dev_tagged, "stack_config": {"platform:environment": "prod"}},
        "stack-says-dev": {"resources": dev_tagged, "stack_config": {"platform:environment": "dev"}},
        "config-says-prod": {
            "resources": dev_tagged,
            "stack_config": {"platform:environment": "dev"},
            "policy_config": {"private-endpoint-in-prod": {"environment": "prod"}},
        },
        "more-tags": {
            "resources": prod,
            "stack_config": {"platform:environment": "prod"},
            "policy_config": {"required-tags": {"requiredTags": ["environment", "cost-center"]}},
        },
        "unknown-in-preview": {"resources": unknown, "stack_config": {"platform:environment": "prod"}},
    }
    results = replay(cases, tmp_path)

    for stack in SHIPPED:
        assert reported(results[stack]) == set(), stack
        assert results[stack]["info"] == [
            {"name": r.id, "level": "mandatory", "type": 2 if r.stack else 1} for r in RULES
        ]

    expected = offline_violations(broken, "prod")
    assert {line.split(":")[0] for line in expected} == {r.id for r in RULES}
    assert reported(results["broken"]) == expected

    endpoint = offline_violations(dev_tagged, "prod")
    assert [line.split(":")[0] for line in endpoint] == ["private-endpoint-in-prod"]
    assert reported(results["stack-says-prod"]) == endpoint
    assert reported(results["stack-says-dev"]) == offline_violations(dev_tagged, "dev") == set()
    assert reported(results["config-says-prod"]) == endpoint

    tags = offline_violations(prod, "prod", required_tags=("environment", "cost-center"))
    assert tags == {
        "required-tags: pulumi:providers:aws prod-cluster-aws: defaultTags lack required tag(s): cost-center"
    }
    assert reported(results["more-tags"]) == tags

    # An unknown value stops the rule during preview (advisory note), it is not a violation.
    assert reported(results["unknown-in-preview"]) == set()
    notes = [d["message"] for d in results["unknown-in-preview"]["diagnostics"] if d["level"] == "advisory"]
    assert any("can't run policy 'private-endpoint-in-prod'" in note and "during preview" in note for note in notes)
