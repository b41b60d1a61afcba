"""Static AWS credentials for clusters without workload identity: an IAM user whose key Pulumi
keeps in a Kubernetes Secret (never in Git), read by an ESO secret store."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s


def static_aws_credentials(
    name: str,
    *,
    path: str,
    policy: pulumi.Input[str],
    secret_metadata: dict[str, str],
    aws_opts: pulumi.ResourceOptions,
    k8s_opts: pulumi.ResourceOptions,
) -> k8s.core.v1.Secret:
    """`<name>-user` with `policy` inline, its access key, and the Secret (`access-key-id`, `secret-access-key`)."""
    user = aws.iam.User(f"{name}-user", path=path, opts=aws_opts)
    aws.iam.UserPolicy(f"{name}-policy", user=user.name, policy=policy, opts=aws_opts)
    access_key = aws.iam.AccessKey(f"{name}-key", user=user.name, opts=aws_opts)
    return k8s.core.v1.Secret(
        f"{name}-credentials",
        metadata=secret_metadata,
        type="Opaque",
        string_data=pulumi.Output.secret(
            pulumi.Output.all(access_key.id, access_key.secret).apply(
                lambda v: {"access-key-id": v[0], "secret-access-key": v[1]}
            )
        ),
        opts=pulumi.ResourceOptions.merge(
            k8s_opts, pulumi.ResourceOptions(additional_secret_outputs=["data", "stringData"])
        ),
    )
