"""The metadata contract: what Pulumi knows, handed to the GitOps agent as its native input.

Pulumi writes it into the cluster (a ConfigMap read by Flux `postBuild.substituteFrom`);
seeded manifests refer to the variable names below, never to literal values.
Bump CONTRACT_VERSION on any incompatible change (renamed or removed variable).
"""

from __future__ import annotations

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
}
"""Model field -> substitution variable name, the stable public interface for repo authors."""

NO_REGION = "none"
"""Value of PLATFORM_REGION for a cluster without a cloud region."""


class PlatformMetadata(BaseModel):
    """Typed, versioned facts about one environment that manifests in Git may reference."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

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

    def to_variables(self) -> dict[str, str]:
        """The contract as Flux substitution variables (`PLATFORM_*` -> value)."""
        values = self.model_dump()
        return {variable: str(values[field]) for field, variable in VARIABLES.items()}


def variable(field: str) -> str:
    """`${PLATFORM_...}` reference to a contract field, for use inside seeded manifests."""
    return "${" + VARIABLES[field] + "}"
