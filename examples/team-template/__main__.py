"""A team's own stack: cloud and cluster resources of one team, built on the platform stack's outputs.

Everything team-specific comes from the platform stack through a `pulumi.StackReference`: the
cluster (kubeconfig), the team's namespaces and its secrets prefix and region. Workloads belong
in the config repo (`teams/<team>/`); this stack holds what GitOps cannot: cloud resources.

    pulumi up                                                            # real use
    platform-kit render --project . --stack example --out out --check    # offline, guardrails
"""

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

config = pulumi.Config("team")
team = config.require("name")
app = config.get("appName") or "hello"
with_secret = (config.get("secrets") or "true").lower() == "true"
platform_stack = config.require("platformStack")
platform = pulumi.StackReference(platform_stack)


def team_entry(teams: dict) -> dict:
    """This team's entry of the platform's `teams` output; a clear error when the platform lacks it."""
    if team not in (teams or {}):
        known = ", ".join(sorted(teams or {})) or "none"
        raise pulumi.RunError(f"team `{team}` is not on platform stack {platform_stack} (teams there: {known})")
    return teams[team]


entry = platform.require_output("teams").apply(team_entry)
namespace = entry.apply(lambda e: e["homeNamespace"])

# Your access is your own: on EKS the kubeconfig runs `aws eks get-token` as you, and your
# group has `edit` in your namespaces only.
cluster = k8s.Provider("platform", kubeconfig=platform.require_output("kubeconfig"), namespace=namespace)

settings = k8s.core.v1.ConfigMap(
    f"{app}-settings",
    metadata={
        "name": f"{app}-settings",
        "namespace": namespace,
        "labels": {"app.kubernetes.io/name": app, "platform-kit.io/team": team},
    },
    data={
        "team": team,
        "environment": platform.require_output("environment"),
        "secretsPrefix": entry.apply(lambda e: e["secretsPrefix"]),
    },
    opts=pulumi.ResourceOptions(provider=cluster),
)
pulumi.export("namespace", namespace)
pulumi.export("settings", settings.metadata["name"])

if with_secret:
    # Read in-cluster with an ExternalSecret: `remoteRef.key: <app>/config` (keys are relative to your prefix).
    # Tagged through the provider's default tags (guardrail `required-tags`): the environment and
    # your team as owner.
    secrets = aws.Provider(
        "secrets",
        region=entry.apply(lambda e: e["secretsRegion"]),
        default_tags={"tags": {"environment": platform.require_output("environment"), "owner": team}},
    )
    secret = aws.secretsmanager.Secret(
        f"{app}-config",
        name=entry.apply(lambda e: f"{e['secretsPrefix']}{app}/config"),
        description=f"configuration of {app} (team {team})",
        # The platform's customer-managed key (guardrail `secrets-manager-cmk`): ESO decrypts with it.
        kms_key_id=entry.apply(lambda e: e["secretsKeyArn"]),
        recovery_window_in_days=7,
        opts=pulumi.ResourceOptions(provider=secrets),
    )
    pulumi.export("secretName", secret.name)
