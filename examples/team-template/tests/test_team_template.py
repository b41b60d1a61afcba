"""The team template's program under Pulumi's mocks, with the platform stack's outputs mocked.

Runs with the platform-kit pytest plugin (`pulumi_recorder`), from this directory or the
platform-kit repository root: `python -m pytest`.
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pulumi
import pytest

PROGRAM = Path(__file__).resolve().parent.parent / "__main__.py"
PLATFORM = "organization/platform-kit/dev"
OUTPUTS = {
    "environment": "dev",
    "clusterName": "platform-dev",
    "kubeconfig": "kubeconfig-of-platform-dev",
    "teams": {
        "payments": {
            "namespaces": ["payments", "payments-jobs"],
            "homeNamespace": "payments",
            "secretsPrefix": "dev/teams/payments/",
            "secretsRegion": "eu-west-1",
            "secretsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/team-key",
            "roleArn": "arn:aws:iam::123456789012:role/dev-teams-payments-role",
        }
    },
}


def run(recorder, team="payments", **extra):
    recorder.stack_reference(PLATFORM, OUTPUTS, secret=("kubeconfig",))
    config = {"team:name": team, "team:platformStack": PLATFORM, "team:appName": "checkout", **extra}
    pulumi.runtime.set_all_config(config, [])
    runpy.run_path(str(PROGRAM), run_name="__main__")
    return recorder.registrations


def test_resources_land_in_the_team_namespace_through_the_platform_cluster(pulumi_recorder):
    run(pulumi_recorder)
    provider = pulumi_recorder.get("pulumi:providers:kubernetes", "platform")
    assert provider.inputs["namespace"] == "payments"
    assert provider.inputs["kubeconfig"] == "kubeconfig-of-platform-dev" and provider.is_secret("kubeconfig")
    settings = pulumi_recorder.get("kubernetes:core/v1:ConfigMap", "checkout-settings")
    assert settings.inputs["metadata"]["namespace"] == "payments"
    assert settings.provider.startswith(provider.urn + "::")
    assert settings.inputs["data"] == {"team": "payments", "environment": "dev", "secretsPrefix": "dev/teams/payments/"}


def test_the_secret_is_created_inside_the_team_prefix(pulumi_recorder):
    run(pulumi_recorder)
    secret = pulumi_recorder.inputs("aws:secretsmanager/secret:Secret", "checkout-config")
    assert secret["name"] == "dev/teams/payments/checkout/config"
    assert secret["kmsKeyId"] == "arn:aws:kms:eu-west-1:123456789012:key/team-key"  # the platform's CMK
    provider = pulumi_recorder.inputs("pulumi:providers:aws", "secrets")
    assert provider["region"] == "eu-west-1"
    assert json.loads(provider["defaultTags"]) == {"tags": {"environment": "dev", "owner": "payments"}}


def test_secret_is_optional(pulumi_recorder):
    registrations = run(pulumi_recorder, **{"team:secrets": "false"})
    assert not [r for r in registrations if r.type.startswith(("aws:", "pulumi:providers:aws"))]


def test_a_team_the_platform_does_not_know_fails_clearly():
    from platform_kit.offline.engine import StackOutputs, run_program

    config = {"team:name": "billing", "team:platformStack": PLATFORM}
    with pytest.raises(Exception, match="team `billing` is not on platform stack .* \\(teams there: payments\\)"):
        run_program(
            lambda: runpy.run_path(str(PROGRAM), run_name="__main__"),
            project="team-app",
            stack="example",
            config=config,
            stack_references={PLATFORM: StackOutputs(OUTPUTS, ("kubeconfig",))},
        )
