"""Placeholder values for what the cloud computes, so offline runs resolve every output.

Under the mock engine a resource's outputs are its inputs; real providers add computed
attributes (ARNs, endpoints, certificate data). This table supplies obviously fake,
deterministic stand-ins. They never reach a real deployment.
"""

from __future__ import annotations

import base64
import hashlib
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
            "vpcConfig": {"vpcId": "vpc-0fa4e0000000000000", "clusterSecurityGroupId": "sg-0fa4e0000000000000"},
        }
    if type_ == "aws:sqs/queue:Queue":
        queue = inputs.get("name", name)
        return {
            "arn": _arn(type_, queue),
            "name": queue,
            "url": f"https://sqs.{FAKE_REGION}.amazonaws.com/{FAKE_ACCOUNT}/{queue}",
        }
    if type_ == "aws:iam/role:Role":
        return {"arn": f"arn:aws:iam::{FAKE_ACCOUNT}:role/{inputs.get('name', name)}", "name": inputs.get("name", name)}
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
    if type_.startswith("aws:"):  # autonamed when no `name` is given: the logical name stands in for it
        return {"arn": _arn(type_, name), "name": inputs.get("name", name)}
    if type_ == "kubernetes:core/v1:Secret" and inputs.get("type") == "kubernetes.io/service-account-token":
        # Filled by the cluster's token controller; secret, as the real provider reports `data`.
        token = base64.b64encode(f"fake-service-account-token-of-{name}".encode()).decode()
        ca = base64.b64encode(b"fake cluster certificate authority").decode()
        return {"data": rpc.wrap_rpc_secret({"token": token, "ca.crt": ca})}
    if type_ == "github:index/repository:Repository":
        repo = inputs.get("name", name)
        return {"nodeId": f"R_fake_{repo}", "fullName": f"example-owner/{repo}", "repoId": 1}
    return {}


def private_key_outputs(name: str) -> dict[str, str]:
    """Key material a pulumi-tls PrivateKey named `name` would return (fake, deterministic, not a usable key)."""
    digest = hashlib.sha256(f"platform-kit-mock-key:{name}".encode()).digest()
    body = base64.b64encode(b"fake-private-key:" + digest).decode()
    public = base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + digest).decode()
    return {
        "privateKeyOpenssh": f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n-----END OPENSSH PRIVATE KEY-----\n",
        "privateKeyPem": f"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n",
        "publicKeyOpenssh": f"ssh-ed25519 {public}\n",
        "publicKeyFingerprintSha256": "SHA256:" + base64.b64encode(digest).decode().rstrip("="),
    }


def invoke_result(token: str, args: dict[str, Any]) -> dict[str, Any]:
    """Results of the data-source calls the library makes (placeholders)."""
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {"accountId": FAKE_ACCOUNT, "arn": f"arn:aws:iam::{FAKE_ACCOUNT}:role/deployer", "userId": "FAKE"}
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        names = [f"{FAKE_REGION}{zone}" for zone in "abc"]
        return {"names": names, "zoneIds": [f"fake-az{i}" for i in range(1, 4)], "id": FAKE_REGION}
    return {}
