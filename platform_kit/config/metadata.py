"""The metadata contract: what Pulumi knows, handed to the GitOps agent as its native input.

Pulumi writes it into the cluster in the agent's native form: a ConfigMap read by Flux
`postBuild.substituteFrom` (the `PLATFORM_*` variables), or the labels and annotations of
Argo CD's cluster Secret (`platform-kit.io/*` keys) read by ApplicationSets. Seeded
manifests refer to these names, never to literal values.
Bump CONTRACT_VERSION on any incompatible change (renamed or removed variable); adding
a variable with a `none` default is compatible and keeps the version.
"""

import re
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

CONTRACT_VERSION = "v1"
"""Version of the variable set below."""

METADATA_CONFIGMAP = "platform-metadata"
"""Name of the ConfigMap (in the agent's namespace) that carries the contract."""

VARIABLES: dict[str, str] = {
    "contract_version": "PLATFORM_CONTRACT_VERSION",
    "environment": "PLATFORM_ENVIRONMENT",
    "cluster_name": "PLATFORM_CLUSTER_NAME",
    "cluster_kind": "PLATFORM_CLUSTER_KIND",
    "region": "PLATFORM_REGION",
    "repo_url": "PLATFORM_REPO_URL",
    "repo_branch": "PLATFORM_REPO_BRANCH",
    "repo_path": "PLATFORM_REPO_PATH",
    "secrets_region": "PLATFORM_SECRETS_REGION",
    "secrets_prefix": "PLATFORM_SECRETS_PREFIX",
    "eso_role_arn": "PLATFORM_ESO_ROLE_ARN",
    "vpc_id": "PLATFORM_VPC_ID",
    "karpenter_role_arn": "PLATFORM_KARPENTER_ROLE_ARN",
    "karpenter_node_role": "PLATFORM_KARPENTER_NODE_ROLE",
    "karpenter_queue": "PLATFORM_KARPENTER_QUEUE",
    "load_balancer_controller_role_arn": "PLATFORM_LOAD_BALANCER_CONTROLLER_ROLE_ARN",
    "external_dns_role_arn": "PLATFORM_EXTERNAL_DNS_ROLE_ARN",
    "cert_manager_role_arn": "PLATFORM_CERT_MANAGER_ROLE_ARN",
}
"""Model field -> substitution variable name, the stable public interface for repo authors."""

NO_VALUE = "none"
"""Value of a contract field that does not apply (no region, secrets off, static credentials)."""
NO_REGION = NO_VALUE

TEAM_VARIABLE = re.compile(r"^PLATFORM_TEAM_([A-Z0-9_]+)_ROLE_ARN$")
"""Per-team variables: `PLATFORM_TEAM_<NAME>_ROLE_ARN`, the name upper-cased with `-` as `_`."""

KEY_PREFIX = "platform-kit.io/"
"""Prefix of the Argo CD cluster Secret's label and annotation keys (`platform-kit.io/cluster-name`)."""

LABEL_FIELDS = ("contract_version", "environment", "cluster_name", "cluster_kind", "region")
"""Fields also written as labels, so ApplicationSet cluster generators can select on them."""

_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def team_variable_name(team: str) -> str:
    """Substitution variable of a team's IAM role (`payments-eu` -> `PLATFORM_TEAM_PAYMENTS_EU_ROLE_ARN`)."""
    return f"PLATFORM_TEAM_{team.upper().replace('-', '_')}_ROLE_ARN"


def team_metadata_key(team: str) -> str:
    """Argo CD cluster Secret annotation of a team's IAM role (`platform-kit.io/team-<team>-role-arn`)."""
    return f"{KEY_PREFIX}team-{team}-role-arn"


def metadata_key(field: str) -> str:
    """Label/annotation key of a contract field on the Argo CD cluster Secret."""
    if field not in VARIABLES:
        raise KeyError(f"not a metadata contract field: {field}")
    return KEY_PREFIX + field.replace("_", "-")


class PlatformMetadata(BaseModel):
    """Typed, versioned facts about one environment that manifests in Git may reference."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    contract_version: Literal["v1"] = CONTRACT_VERSION
    """Contract version; consumers can refuse versions they do not know."""
    environment: str
    """Environment name, e.g. `dev`."""
    cluster_name: str
    """Kubernetes cluster name."""
    cluster_kind: str
    """How the cluster was provided (`existing`, `eks`)."""
    region: str = NO_REGION
    """Cloud region, or `none`."""
    repo_url: str
    """URL the agent clones the config repo from."""
    repo_branch: str
    """Branch the agent follows."""
    repo_path: str
    """Directory of this environment in the config repo."""
    secrets_region: str = NO_VALUE
    """Region of the secrets manager, or `none` when secrets are off."""
    secrets_prefix: str = NO_VALUE
    """Name prefix of the platform's secrets (`<env>/platform/`; `<env>/<cluster>/platform/` on a spoke), or `none`."""
    eso_role_arn: str = NO_VALUE
    """IAM role of External Secrets Operator (workload identity), or `none`."""
    vpc_id: str = NO_VALUE
    """ID of the EKS cluster's VPC (the load balancer controller cannot read it from IMDS at hop limit 1), or
    `none`."""
    karpenter_role_arn: str = NO_VALUE
    """IAM role of the Karpenter controller (named by its service account under IRSA), or `none`."""
    karpenter_node_role: str = NO_VALUE
    """Name of the IAM role of the nodes Karpenter launches (the `EC2NodeClass` role), or `none`."""
    karpenter_queue: str = NO_VALUE
    """Name of Karpenter's SQS interruption queue, or `none`."""
    load_balancer_controller_role_arn: str = NO_VALUE
    """IAM role of the AWS Load Balancer Controller, or `none`."""
    external_dns_role_arn: str = NO_VALUE
    """IAM role of external-dns (limited to the configured hosted zones), or `none`."""
    cert_manager_role_arn: str = NO_VALUE
    """IAM role of cert-manager's Route 53 DNS-01 solver (limited to the configured hosted zones), or `none`."""
    team_role_arns: dict[str, str] = {}
    """Team name -> IAM role its SecretStores use (or `none`); one extra variable/annotation per team."""

    def to_variables(self) -> dict[str, str]:
        """The contract as Flux substitution variables (`PLATFORM_*` -> value)."""
        values = self.model_dump()
        fixed = {variable: str(values[field]) for field, variable in VARIABLES.items()}
        return fixed | {team_variable_name(team): arn for team, arn in sorted(self.team_role_arns.items())}

    @classmethod
    def from_variables(cls, variables: Mapping[str, str]) -> "PlatformMetadata":
        """The contract back from its `PLATFORM_*` variables (what agents receive)."""
        fields: dict = {field: variables[name] for field, name in VARIABLES.items() if name in variables}
        teams = {
            match.group(1).lower().replace("_", "-"): value
            for name, value in variables.items()
            if (match := TEAM_VARIABLE.match(name))
        }
        unknown = sorted(set(variables) - set(VARIABLES.values()) - {team_variable_name(team) for team in teams})
        if unknown:
            raise ValueError(f"unknown metadata variables: {', '.join(unknown)}")
        return cls(**fields, team_role_arns=teams)

    def to_annotations(self) -> dict[str, str]:
        """Every field as an Argo CD cluster Secret annotation (`platform-kit.io/<field>` -> value)."""
        values = self.model_dump()
        fixed = {metadata_key(field): str(values[field]) for field in VARIABLES}
        return fixed | {team_metadata_key(team): arn for team, arn in sorted(self.team_role_arns.items())}

    def to_labels(self) -> dict[str, str]:
        """The selectable fields (LABEL_FIELDS) as cluster Secret labels; each must be a valid label value."""
        values = self.model_dump()
        labels = {}
        for field in LABEL_FIELDS:
            value = str(values[field])
            if len(value) > 63 or not _LABEL_VALUE.match(value):
                raise ValueError(f"metadata field {field} is not a valid Kubernetes label value")
            labels[metadata_key(field)] = value
        return labels


def variable(field: str) -> str:
    """`${PLATFORM_...}` reference to a contract field, for use inside seeded manifests."""
    return "${" + VARIABLES[field] + "}"


def annotation_template(field: str) -> str:
    """ApplicationSet (Go template, cluster generator) expression reading a contract field."""
    return '{{ index .metadata.annotations "' + metadata_key(field) + '" }}'


def team_variable(team: str) -> str:
    """`${PLATFORM_TEAM_<NAME>_ROLE_ARN}` reference to a team's role, for use inside seeded manifests."""
    return "${" + team_variable_name(team) + "}"


def team_annotation_template(team_expression: str = ".path.basename") -> str:
    """ApplicationSet expression reading the role of the team named by `team_expression` (a Go template value)."""
    key = f'(printf "{KEY_PREFIX}team-%s-role-arn" {team_expression})'
    return "{{ index .metadata.annotations " + key + " }}"
