"""Placeholder values for what the cloud computes, so offline runs resolve every output.

Under the mock engine a resource's outputs are its inputs; real providers add computed
attributes (ARNs, endpoints, certificate data). This table supplies obviously fake,
deterministic stand-ins. They never reach a real deployment.
"""

from __future__ import annotations

import base64
from typing import Any

from pulumi.runtime import rpc

FAKE_ACCOUNT = "123456789012"
"""Account ID in every fake ARN (AWS's documentation example)."""
FAKE_REGION = "example-region-1"


def _arn(type_: str, name: str) -> str:
    service = type_.split(":")[1].split("/")[0]
    return f"arn:aws:{service}:{FAKE_REGION}:{FAKE_ACCOUNT}:{name}"


def computed_outputs(type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Outputs a real provider would add to `inputs` for this resource type (placeholders)."""
    if type_ == "aws:eks/cluster:Cluster":
        cluster = inputs.get("name", name)
        return {
            "arn": f"arn:aws:eks:{FAKE_REGION}:{FAKE_ACCOUNT}:cluster/{cluster}",
            "endpoint": f"https://{cluster.upper()}.gr7.{FAKE_REGION}.eks.amazonaws.com",
            "certificateAuthority": {"data": base64.b64encode(b"fake certificate authority").decode()},
            "identities": [
                {"oidcs": [{"issuer": f"https://oidc.eks.{FAKE_REGION}.amazonaws.com/id/{cluster.upper()}"}]}
            ],
        }
    if type_ == "aws:iam/role:Role":
        return {"arn": f"arn:aws:iam::{FAKE_ACCOUNT}:role/{name}", "name": name}
    if type_ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
        issuer = str(inputs.get("url", "oidc")).removeprefix("https://")
        return {"arn": f"arn:aws:iam::{FAKE_ACCOUNT}:oidc-provider/{issuer}"}
    if type_ == "aws:kms/key:Key":
        return {"arn": _arn(type_, f"key/{name}"), "keyId": f"{name}-key-id"}
    if type_ == "aws:iam/accessKey:AccessKey":
        return {"secret": rpc.wrap_rpc_secret(f"fake-secret-access-key-of-{name}")}
    if type_ == "aws:secretsmanager/secret:Secret":
        return {"arn": f"arn:aws:secretsmanager:{FAKE_REGION}:{FAKE_ACCOUNT}:secret:{inputs.get('name', name)}-AbCdEf"}
    if type_ == "aws:ec2/launchTemplate:LaunchTemplate":
        return {"latestVersion": 1}
    if type_.startswith("aws:"):
        return {"arn": _arn(type_, name)}
    return {}


def invoke_result(token: str, args: dict[str, Any]) -> dict[str, Any]:
    """Results of the data-source calls the library makes (placeholders)."""
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {"accountId": FAKE_ACCOUNT, "arn": f"arn:aws:iam::{FAKE_ACCOUNT}:role/deployer", "userId": "FAKE"}
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        names = [f"{FAKE_REGION}{zone}" for zone in "abc"]
        return {"names": names, "zoneIds": [f"fake-az{i}" for i in range(1, 4)], "id": FAKE_REGION}
    return {}
